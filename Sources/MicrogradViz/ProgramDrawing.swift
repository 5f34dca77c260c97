import Micrograd

/// Writes the DOT text of a ``Program``.
///
/// Nodes are instructions (or, inside a fused kernel's cluster, its ops)
/// and the values the caller gives: inputs, parameters, state, constants.
/// A temporary value is an edge from the node that makes it to each node
/// that reads it, labelled with its shape (and buffer).
///
/// An edge never spans more than ``reach`` instructions: a value read
/// further on (a forward activation read by the backward pass) is drawn
/// again beside its reader as a small dashed reference node. A long program
/// is also cut into pages of ``pageSize`` instructions, each its own
/// connected graph, laid out alone and placed in a row. Graphviz 2.4x lays
/// out a connected graph in time quadratic (or worse) in its size and its
/// edges' lengths, so many small pages of short edges take seconds where one
/// 10,000-node graph takes hours.
struct ProgramDrawing {
  /// Instructions per page.
  static let pageSize = 150
  /// How many instructions an edge may span.
  static let reach = 40

  let program: Program
  let options: VizOptions
  /// Whether the program is drawn in brief (see ``VizOptions/briefAbove``).
  let brief: Bool
  /// The instructions drawn (those of the chosen section), by index.
  let drawn: [Int]
  /// The drawn instruction that makes each value.
  let makers: [ValueID: Int]
  /// The DOT statements of each page.
  private var pages: [DOTWriter]
  /// The node that makes each value in the picture (an instruction, a step
  /// of a fused kernel, or the value's own node).
  private var source: [ValueID: String] = [:]
  /// Where among the drawn instructions each value's source node is.
  private var position: [ValueID: Int] = [:]
  /// The position of the instruction being drawn.
  private var current = 0
  /// The latest reference node of each value and its position.
  private var references: [ValueID: (node: String, position: Int)] = [:]
  private var referenceCount = 0

  init(program: Program, options: VizOptions) {
    self.program = program
    self.options = options
    drawn = program.instructions.indices.filter {
      options.section == .all || program.instructions[$0].section.rawValue == options.section.rawValue
    }
    var makers: [ValueID: Int] = [:]
    for index in drawn {
      for value in program.instructions[index].outputs { makers[value] = index }
    }
    self.makers = makers
    brief = drawn.count > options.briefAbove
    let graph: [DOTWriter.Attribute] = [
      .init("rankdir", options.rankDirection.rawValue), .init("fontname", "Helvetica"), .init("fontsize", "11"),
      .init("labelloc", "t"), .init("label", Self.title(of: program, drawing: drawn.count, options)),
      .init("bgcolor", "white"), .init("nodesep", "0.2"), .init("ranksep", "0.3"),
      // A cap on dot's x-placement iterations: without one, its network
      // simplex can cycle for minutes on graphs of a few hundred nodes.
      .init("nslimit", "4"),
    ]
    let template = DOTWriter(
      graph: graph,
      nodes: [
        .init("fontname", "Helvetica"), .init("fontsize", "10"), .init("shape", "box"),
        .init("style", "rounded,filled"), .init("height", "0.3"), .init("margin", "0.08,0.03"),
      ],
      edges: [
        .init("color", Palette.ink), .init("arrowsize", "0.5"), .init("fontname", "Helvetica"),
        .init("fontsize", "8"), .init("fontcolor", Palette.faint),
      ])
    pages = Array(repeating: template, count: max(1, (drawn.count + Self.pageSize - 1) / Self.pageSize))
  }

  /// Draws every chosen instruction, then the outputs.
  mutating func draw() {
    for (position, index) in drawn.enumerated() {
      current = position
      draw(index)
    }
    drawOutputs()
  }

  /// The pages as one graph, packed by Graphviz (slow for many pages).
  func joined() -> String {
    guard pages.count > 1 else { return pages[0].finished() }
    // Each page laid out alone, then the pages placed in a row in order.
    let mode = "array_u" + (options.rankDirection == .topToBottom ? "" : "c") + "1"
    return DOTWriter.joining(pages, adding: [.init("pack", "24"), .init("packmode", mode)])
  }

  /// Each page as a graph of its own, the title on the first.
  func pageTexts() -> [String] {
    pages.enumerated().map { k, page in
      page.finished(adding: [.init("id", "p\(k)")] + (k == 0 ? [] : [.init("label", "")]))
    }
  }

  /// The page being drawn.
  private var page: Int { current / Self.pageSize }

  // MARK: Instructions

  private mutating func draw(_ index: Int) {
    let instruction = program.instructions[index]
    if let kernel = instruction.operation.kernel, !options.collapseFusedKernels && !brief {
      drawCluster(index, kernel: kernel)
      return
    }
    let id = "i\(index)"
    node(id, label: label(of: instruction), tooltip: tooltip(of: instruction), section: instruction.section)
    for value in distinct(instruction.inputs) { connect(value, to: id) }
    for value in instruction.outputs { made(value, by: id) }
  }

  /// A fused kernel as a cluster: its steps (and its matmul or reduction)
  /// as nodes, the kernel's inputs coming in from outside.
  private mutating func drawCluster(_ index: Int, kernel: FusedKernel) {
    let instruction = program.instructions[index]
    let id = "i\(index)"
    let colors = Palette.of(instruction.section)
    // The values read come from outside: their nodes must not be declared
    // inside the cluster.
    let inputs = instruction.inputs.map { sourceOnThisPage(of: $0) }
    pages[page].beginCluster(
      id,
      [
        .init("label", instruction.operation.name + " " + kernel.steps.map(\.operation.name).joined(separator: "+")),
        .init("tooltip", tooltip(of: instruction)), .init("style", "rounded,dashed"), .init("color", colors.border),
        .init("fontcolor", colors.border), .init("fontsize", "9"),
        // Its own SVG id: it would otherwise take the page graph's.
        .init("id", "cluster_" + id),
      ])
    // What fills each register: a value from outside, or a node in the cluster.
    var register: [Register] = zip(instruction.inputs, inputs).map { .value($0, $1) }
    var edges: [(from: Register, to: String)] = []
    func step(_ stepID: String, _ operation: Operation, reading arguments: [Register]) {
      let label = Program.briefSpelling(operation)
      node(stepID, label: label, tooltip: label + "\n" + instruction.location.description, section: instruction.section)
      for argument in arguments { edges.append((argument, stepID)) }
    }
    if case .matmulEpilogue(let transposeA, let transposeB, _) = instruction.operation {
      // Register 0 is the product; the kernel's other inputs follow `a` and `b`.
      step(id + "_mm", .matmul(transposeA: transposeA, transposeB: transposeB), reading: distinct(register.prefix(2)))
      register = [.node(id + "_mm")] + register.dropFirst(2)
    }
    for (k, kernelStep) in kernel.steps.enumerated() {
      step(id + "_\(k)", kernelStep.operation, reading: distinct(kernelStep.arguments.map { register[$0] }))
      register.append(.node(id + "_\(k)"))
    }
    var results = kernel.outputs.map { register[$0] }
    if case .fusedReduce(_, let function, let axes) = instruction.operation {
      step(id + "_r", .reduce(function, axes: axes), reading: [results[0]])
      results[0] = .node(id + "_r")
    }
    pages[page].endCluster()
    for (from, to) in edges {
      switch from {
      case .value(let value, _): connect(value, to: to)
      case .node(let node): pages[page].edge(node, to)
      }
    }
    for (value, result) in zip(instruction.outputs, results) {
      switch result {
      case .node(let node): made(value, by: node)
      case .value(_, let node): made(value, by: node)
      }
    }
  }

  /// What a fused kernel's register holds: a value read from outside (and
  /// its node), or the node of a step inside.
  private enum Register: Hashable {
    case value(ValueID, String)
    case node(String)
  }

  /// An instruction or a step of one, coloured by section.
  private mutating func node(_ id: String, label: String, tooltip: String, section: Instruction.Section) {
    let colors = Palette.of(section)
    pages[page].node(
      id,
      [
        .init("label", label), .init("fillcolor", colors.fill), .init("color", colors.border),
        .init("tooltip", tooltip),
      ])
  }

  private mutating func made(_ value: ValueID, by node: String) {
    source[value] = node
    position[value] = current
  }

  // MARK: Values

  /// An edge carrying `value` into node `to`. In brief, constants are left
  /// out (the reader's tooltip names them) and edges carry no label.
  private mutating func connect(_ value: ValueID, to: String) {
    if brief, case .constant = program.values[value].role { return }
    let from = sourceOnThisPage(of: value)
    let description = describe(value)
    if brief {
      pages[page].edge(from, to, [.init("tooltip", description)])
    } else {
      // An external label: dot 2.4x frees memory twice when it lays out a
      // labelled edge between nodes of one rank in a graph with clusters.
      pages[page].edge(from, to, [.init("xlabel", shortDescription(of: value)), .init("tooltip", description)])
    }
  }

  /// The node `value` comes from near the current instruction: where it is
  /// made, its own node (drawn now if it has none yet), or a reference.
  private mutating func sourceOnThisPage(of value: ValueID) -> String {
    guard let node = source[value], let start = position[value] else { return drawValue(value) }
    if isNear(start) { return node }
    if let reference = references[value], isNear(reference.position) { return reference.node }
    return drawReference(to: value)
  }

  /// Whether an edge from the node at `start` to the current one stays on
  /// the page and within reach.
  private func isNear(_ start: Int) -> Bool {
    start / Self.pageSize == current / Self.pageSize && current - start <= Self.reach
  }

  /// The node of a value no drawn instruction makes: an input, parameter,
  /// state, constant, captured tensor, or a temporary of another section.
  private mutating func drawValue(_ id: ValueID) -> String {
    let value = program.values[id]
    let node = "v\(id)"
    made(id, by: node)
    let colors = value.role == .temporary ? Palette.outside : Palette.of(value.role)
    var attributes: [DOTWriter.Attribute] = [
      .init("shape", "box"), .init("style", "filled"), .init("fillcolor", colors.fill), .init("color", colors.border),
      .init("tooltip", describe(id)),
    ]
    switch value.role {
    case .constant(let data):
      let label = options.showValues && data.count <= 8 ? Formatting.values(data, shape: value.shape) : "const"
      attributes += [.init("label", label), .init("shape", "plaintext")]
    case .temporary:
      attributes += [.init("label", "%\(id)\n" + Formatting.shape(value.shape)), .init("style", "dashed")]
    default:
      attributes.append(
        .init("label", (value.name.isEmpty ? "%\(id)" : value.name) + "\n" + Formatting.shape(value.shape)))
    }
    pages[page].node(node, attributes)
    return node
  }

  /// A small dashed node standing for `id` far from its own.
  private mutating func drawReference(to id: ValueID) -> String {
    referenceCount += 1
    let node = "r\(referenceCount)"
    references[id] = (node, current)
    let value = program.values[id]
    let colors = value.role == .temporary ? Palette.outside : Palette.of(value.role)
    pages[page].node(
      node,
      [
        .init("label", value.name.isEmpty ? "%\(id)" : value.name), .init("style", "dashed"),
        .init("color", colors.border), .init("fontcolor", colors.border),
        .init("tooltip", describe(id) + "\n" + origin(of: id)),
      ])
    return node
  }

  /// A sink node per program output (the loss, the gradients) made by a
  /// drawn instruction, or given directly; on the page of its maker.
  private mutating func drawOutputs() {
    for (k, id) in program.outputs.enumerated() {
      let value = program.values[id]
      if value.role == .temporary && makers[id] == nil { continue }
      if let start = position[id] { current = start }
      let node = "out\(k)"
      pages[page].node(
        node,
        [
          .init("label", value.name.isEmpty ? "output \(k)" : value.name), .init("style", "filled,bold"),
          .init("fillcolor", Palette.output.fill), .init("color", Palette.output.border),
          .init("tooltip", "output \(k): " + describe(id)),
        ])
      connect(id, to: node)
    }
  }

  /// `items` without repeats, in order of first appearance.
  private func distinct<C: Collection>(_ items: C) -> [C.Element] where C.Element: Hashable {
    var seen: Set<C.Element> = []
    return items.filter { seen.insert($0).inserted }
  }
}
