"""Pictures of an evaluated circuit: Mermaid, DOT and SVG."""
