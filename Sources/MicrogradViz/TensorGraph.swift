import Micrograd

/// The graph behind some tensors, eager or traced, ready to draw: every
/// tensor they were computed from, with names for the ones you know.
///
/// ```swift
/// let loss = mseLoss(model(x), y)
/// loss.backward()
/// try writeSVG(TensorGraph(loss, module: model), to: "/tmp/loss.svg")
/// ```
///
/// An eager tensor keeps its inputs only when it requires grad, so a graph
/// of eager tensors reaches as far as gradients flow.
public struct TensorGraph {
  /// The tensors drawn as outputs; the graph is everything they depend on.
  public var outputs: [Tensor]
  /// Names shown on tensors (parameters by module path, inputs).
  public private(set) var names: [(name: String, tensor: Tensor)]

  /// The graph of `outputs`, with `names` for some of its tensors.
  public init(_ outputs: [Tensor], names: [(name: String, tensor: Tensor)] = []) {
    self.outputs = outputs
    self.names = names
  }

  /// The graph of `outputs`, its parameters named as in `module`.
  public init(_ outputs: Tensor..., module: Module? = nil) {
    self.init(outputs)
    if let module { name(module) }
  }

  /// Shows `name` on `tensor`.
  public mutating func name(_ tensor: Tensor, _ name: String) {
    names.append((name, tensor))
  }

  /// Names every parameter of `module` by its path (`layers.0.weight`).
  public mutating func name(_ module: Module, prefix: String = "") {
    for (name, parameter) in module.namedParameters() { names.append((prefix + name, parameter)) }
  }
}

extension TensorGraph: Drawable {
  public func dot(options: VizOptions) -> String {
    TensorGraphDrawing(graph: self, options: options).dot()
  }
}

extension Tensor: Drawable {
  /// The graph of this tensor alone (see ``TensorGraph``).
  public func dot(options: VizOptions) -> String {
    TensorGraph([self]).dot(options: options)
  }
}

/// Writes the DOT text of a ``TensorGraph``: micrograd's picture, a record
/// per tensor and an oval per op between them.
private struct TensorGraphDrawing {
  let graph: TensorGraph
  let options: VizOptions

  /// How many elements a tensor may have for its data to be listed.
  static let listedElements = 8

  func dot() -> String {
    var writer = DOTWriter(
      graph: [
        .init("rankdir", options.rankDirection.rawValue), .init("fontname", "Helvetica"),
        .init("bgcolor", "white"), .init("nslimit", "4"),
      ],
      nodes: [.init("fontname", "Helvetica"), .init("fontsize", "11"), .init("color", Palette.ink)],
      edges: [.init("color", Palette.ink), .init("arrowsize", "0.6")])
    let names = Dictionary(graph.names.map { (ObjectIdentifier($0.tensor), $0.name) }) { first, _ in first }
    let outputs = Set(graph.outputs.map(ObjectIdentifier.init))
    let order = graphOrder(graph.outputs)
    var identifiers: [ObjectIdentifier: String] = [:]
    for (index, tensor) in order.enumerated() {
      let id = "t\(index)"
      identifiers[ObjectIdentifier(tensor)] = id
      let name = names[ObjectIdentifier(tensor)]
      let colors = colors(of: tensor, isOutput: outputs.contains(ObjectIdentifier(tensor)))
      writer.node(
        id,
        [
          .init("shape", "record"), .init("style", "filled"), .init("fillcolor", colors.fill),
          .init("color", colors.border),
          .record("label", fields(of: tensor, name: name), stacked: options.rankDirection == .topToBottom),
          .init("tooltip", tooltip(of: tensor, name: name)),
        ])
      if tensor.isLeaf { continue }
      let location = tensor.recordedLocation.map { " at \($0)" } ?? ""
      writer.node(
        id + "op",
        [
          .init("label", tensor.opName), .init("shape", "ellipse"), .init("style", "filled"),
          .init("fillcolor", Palette.forward.fill), .init("color", Palette.forward.border),
          .init("tooltip", tensor.opName + location),
        ])
      writer.edge(id + "op", id)
      var drawn: Set<String> = []
      for input in tensor.inputs {
        let from = identifiers[ObjectIdentifier(input)]!
        if drawn.insert(from).inserted { writer.edge(from, id + "op") }
      }
    }
    return writer.finished()
  }

  private func colors(of tensor: Tensor, isOutput: Bool) -> Palette.Colors {
    if isOutput { return Palette.output }
    if tensor.isLeaf { return tensor.requiresGrad ? Palette.parameter : Palette.input }
    return Palette.intermediate
  }

  /// micrograd's record: the name or kind, the shape, then data and grad.
  private func fields(of tensor: Tensor, name: String?) -> [String] {
    let title = name ?? (tensor.isLeaf ? (tensor.requiresGrad ? "parameter" : "input") : "")
    var fields = title.isEmpty ? [] : [title]
    fields.append("f32" + Formatting.shape(tensor.shape))
    if options.showValues {
      fields.append("data " + describe(tensor))
      if let grad = tensor.grad { fields.append("grad " + describe(grad)) }
    }
    return fields
  }

  /// The values of a small tensor, a summary of a large one, or `symbolic`.
  private func describe(_ tensor: Tensor) -> String {
    if tensor.isSymbolic { return "symbolic" }
    if tensor.count <= Self.listedElements { return Formatting.values(tensor.scalars, shape: tensor.shape) }
    return Formatting.summary(UnsafeBufferPointer(start: tensor.values, count: tensor.count))
  }

  private func tooltip(of tensor: Tensor, name: String?) -> String {
    var lines = [(name.map { $0 + ": " } ?? "") + "f32" + Formatting.shape(tensor.shape)]
    if tensor.isLeaf {
      lines.append(tensor.isSymbolic ? "traced input" : (tensor.requiresGrad ? "leaf, requires grad" : "leaf"))
    } else {
      lines.append("made by " + tensor.opName + (tensor.recordedLocation.map { " at \($0)" } ?? ""))
    }
    return lines.joined(separator: "\n")
  }
}
