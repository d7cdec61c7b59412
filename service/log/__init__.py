"""The log and its storage: the append-only event store, its streams, the hash chain and its
checkpoints, sealing (the vault), the codec between domain events and rows, migrations and the
host that takes writes. Imports only the domain."""
