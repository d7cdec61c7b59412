"""Access: keys and their roles and units (auth), who may do what (matrix), the one disclosure
policy every read goes through, the access log and the rate limit. Imports the log."""
