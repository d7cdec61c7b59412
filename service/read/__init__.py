"""The read side: projections and the projector that keeps them, the notifier, the read queries,
reports, the paper kit and its PDF, FHIR resources, and webhooks out. Imports the write side's
loaders, access and the log."""
