"""The write side: the use cases that load a stream, let the domain decide and append what it
decided (incidents, paper records, units, citizens, emergency lists and the rounds' dose slots).
Imports access and the log."""
