"""Synchronous scoring: one text scored by the analyze workers and answered in the same request.

`categories` maps Kavalu's categories to the drop-in APIs' names (Perspective attributes, OpenAI
moderation categories) in one place; `wire` is the plain data the API and the analyze task exchange;
`analysis` sends a text, reads the scores back and previews the decision the publisher's policy would take;
`storage` keeps a text (through intake) when the caller and its key allow it.
"""
