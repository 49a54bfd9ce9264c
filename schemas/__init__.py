"""JSON Schemas shipped with sfn (the Amazon States Language schema: asl.schema.json)."""
