"""The publisher's pull feed of decisions (GET /v1/decisions)."""
from flask_smorest import Blueprint

blp = Blueprint("decisions", __name__, url_prefix="/v1/decisions", description="Pull feed of final decisions")
