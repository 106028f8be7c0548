"""Moderator review API (/v1/review/...) and lawful disclosure (/v1/legal/...)."""
from flask_smorest import Blueprint

blp = Blueprint("review", __name__, description="Moderator review queue, decisions, audit trail and legal disclosure")
