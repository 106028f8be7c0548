"""The Google API discovery document for commentanalyzer v1alpha1, rooted at this server, so
`googleapiclient.discovery.build("commentanalyzer", "v1alpha1", discoveryServiceUrl=..., static_discovery=False)`
builds a client that talks to Kavalu."""

from __future__ import annotations


def _object(id_: str, properties: dict) -> dict:
    return {"id": id_, "type": "object", "properties": properties}


_SCORE = {"$ref": "Score"}


def discovery_document(root_url: str) -> dict:
    root = root_url if root_url.endswith("/") else root_url + "/"
    string, boolean = {"type": "string"}, {"type": "boolean"}
    text_entry = {"$ref": "TextEntry"}
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": "commentanalyzer:v1alpha1",
        "name": "commentanalyzer",
        "version": "v1alpha1",
        "title": "Kavalu (Perspective-compatible comment analyzer)",
        "description": "Kavalu's scorers behind Perspective's commentanalyzer API. Scores are Kavalu's, not "
        "Perspective's: see docs/migrating-from-perspective.md.",
        "protocol": "rest",
        "rootUrl": root,
        "servicePath": "",
        "baseUrl": root,
        "batchPath": "batch",
        "parameters": {
            "key": {"type": "string", "location": "query", "description": "API key (scope perspective)"},
            "alt": {"type": "string", "location": "query", "default": "json", "enum": ["json"]},
            "prettyPrint": {"type": "boolean", "location": "query", "default": "true"},
            "fields": {"type": "string", "location": "query"},
        },
        "schemas": {
            "TextEntry": _object("TextEntry", {"text": string, "type": string}),
            "Context": _object("Context", {"entries": {"type": "array", "items": text_entry}}),
            "ScoreThreshold": {"id": "ScoreThreshold", "type": "number", "format": "float"},
            "AttributeParameters": _object(
                "AttributeParameters", {"scoreType": string, "scoreThreshold": {"type": "number", "format": "float"}}
            ),
            "Score": _object("Score", {"value": {"type": "number", "format": "float"}, "type": string}),
            "SpanScore": _object(
                "SpanScore", {"begin": {"type": "integer"}, "end": {"type": "integer"}, "score": _SCORE}
            ),
            "AttributeScores": _object(
                "AttributeScores",
                {"summaryScore": _SCORE, "spanScores": {"type": "array", "items": {"$ref": "SpanScore"}}},
            ),
            "AnalyzeCommentRequest": _object(
                "AnalyzeCommentRequest",
                {
                    "comment": text_entry,
                    "context": {"$ref": "Context"},
                    "requestedAttributes": {"type": "object", "additionalProperties": {"$ref": "AttributeParameters"}},
                    "languages": {"type": "array", "items": string},
                    "doNotStore": boolean,
                    "spanAnnotations": boolean,
                    "dropUnsupportedAttributes": boolean,
                    "clientToken": string,
                    "sessionId": string,
                    "communityId": string,
                },
            ),
            "AnalyzeCommentResponse": _object(
                "AnalyzeCommentResponse",
                {
                    "attributeScores": {"type": "object", "additionalProperties": {"$ref": "AttributeScores"}},
                    "languages": {"type": "array", "items": string},
                    "detectedLanguages": {"type": "array", "items": string},
                    "clientToken": string,
                },
            ),
            "SuggestCommentScoreRequest": _object(
                "SuggestCommentScoreRequest",
                {
                    "comment": text_entry,
                    "context": {"$ref": "Context"},
                    "attributeScores": {"type": "object", "additionalProperties": {"$ref": "AttributeScores"}},
                    "languages": {"type": "array", "items": string},
                    "communityId": string,
                    "clientToken": string,
                },
            ),
            "SuggestCommentScoreResponse": _object(
                "SuggestCommentScoreResponse",
                {
                    "detectedLanguages": {"type": "array", "items": string},
                    "requestedLanguages": {"type": "array", "items": string},
                    "clientToken": string,
                },
            ),
        },
        "resources": {
            "comments": {
                "methods": {
                    "analyze": {
                        "id": "commentanalyzer.comments.analyze",
                        "path": "v1alpha1/comments:analyze",
                        "flatPath": "v1alpha1/comments:analyze",
                        "httpMethod": "POST",
                        "parameters": {},
                        "parameterOrder": [],
                        "request": {"$ref": "AnalyzeCommentRequest"},
                        "response": {"$ref": "AnalyzeCommentResponse"},
                        "description": "Scores a comment with Kavalu's scorers.",
                    },
                    "suggestscore": {
                        "id": "commentanalyzer.comments.suggestscore",
                        "path": "v1alpha1/comments:suggestscore",
                        "flatPath": "v1alpha1/comments:suggestscore",
                        "httpMethod": "POST",
                        "parameters": {},
                        "parameterOrder": [],
                        "request": {"$ref": "SuggestCommentScoreRequest"},
                        "response": {"$ref": "SuggestCommentScoreResponse"},
                        "description": "Keeps a suggested score as a labelled example (`kavalu feedback export`).",
                    },
                }
            }
        },
    }
