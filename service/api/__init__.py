"""The HTTP edge: Litestar controllers, guards, problems, the OpenAPI document and the wire types
(msgspec structs) with the views that build them. Imports every room; none imports it."""
