"""The response plan for IT-nedbrud as a pure model: aggregates, events, rules. No I/O, no clock."""
