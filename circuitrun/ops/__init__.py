"""The op table: one record per op (value, local gradients, arity, attributes, symbol)."""
