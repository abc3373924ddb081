"""Stage 3, a validated spec → the DAG (networkx.DiGraph) and the checks that span nodes."""
