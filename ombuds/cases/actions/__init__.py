"""The writes of cases, by use case: each function is one action, the only place its change is
made. It locks the case, asks the rule book whether the actor may do it now, validates its input,
writes the case's row and one typed history event (with the same moment), and queues its notices
in the same transaction."""
