"""Importers: a model from outside (a PyTorch module, an ONNX file) as a cnncalc network.

Each importer reads its source into one :class:`~cnncalc.importers.graph.ImportedGraph` (nodes in
topological order, each naming the nodes it reads); the graph becomes a spec document in the spec
language (layers, merges and ``from:`` references to earlier outputs), which the ordinary parser
resolves. So an imported model and a hand-written spec are the same kind of network.
"""
