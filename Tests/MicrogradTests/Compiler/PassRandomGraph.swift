@testable import Micrograd

/// A random computation over the ops the compiler knows, kept as data so the
/// same graph can be built eagerly and under a trace.
///
/// Shapes have up to three dimensions of size 1 to 4, so operands broadcast
/// often; operands are picked among all earlier nodes (reuse), sometimes an
/// expression is repeated verbatim (for CSE), and constants include splats of
/// 0 and 1 and identities like `x * 1` (for Simplify) and constant-only
/// subexpressions (for folding). Divisors are constants away from 0 or
/// `b * b + 0.5`, so values stay finite.
struct PassRandomGraph: CustomStringConvertible {
  enum Step {
    case input(Int)
    case parameter(Int)
    case captured(Int)
    case constant([Float], Shape)
    /// `a op b`: arithmetic or a comparison.
    case binary(BinaryFunction, Int, Int)
    /// `a op c` (or `c op a`) with a scalar literal.
    case scalar(BinaryFunction, Int, Float, constantFirst: Bool)
    case negate(Int)
    case relu(Int)
    case sum(Int, axes: [Int]?, keepdims: Bool)
    case reshape(Int, [Int])
    case expand(Int, Shape)
    case matmul(Int, Int, transposeA: Bool, transposeB: Bool)
    case select(Int, Int, Int)
  }

  private(set) var steps: [Step] = []
  /// Concrete values for the inputs, one call's worth.
  private(set) var inputs: [Tensor] = []
  /// Tensors the function differentiates with respect to.
  private(set) var parameters: [Tensor] = []
  /// Tensors read from outside the function.
  private(set) var captured: [Tensor] = []
  /// The nodes returned (forward) and summed into the loss.
  private(set) var outputs: [Int] = []
  /// The eager value of every node, built while generating (for shapes).
  private var nodes: [Tensor] = []
  private var random: TestRandom

  var description: String { steps.enumerated().map { "  \($0.offset): \($0.element)" }.joined(separator: "\n") }

  init(seed: UInt64) {
    random = TestRandom(seed: seed)
    _ = leaf(randomShape(), kind: 1)
    _ = leaf(randomShape(), kind: 2)
    let target = random.int(5...16)
    while nodes.count < target + 2 { addOperation() }
    let last = nodes.count - 1
    outputs = [last] + (0..<random.int(0...2)).map { _ in random.int(0...last) }
  }

  /// Every node, built from `inputs` (symbolic ones under a trace).
  func build(_ inputs: [Tensor]) -> [Tensor] {
    var nodes: [Tensor] = []
    for step in steps { nodes.append(Self.make(step, nodes, inputs, parameters, captured)) }
    return nodes
  }

  /// The returned nodes.
  func forward(_ inputs: [Tensor]) -> [Tensor] {
    let nodes = build(inputs)
    return outputs.map { nodes[$0] }
  }

  /// A scalar reaching every parameter: the returned nodes' sums plus each
  /// parameter's sum.
  func loss(_ inputs: [Tensor]) -> Tensor {
    let nodes = build(inputs)
    return (outputs.map { nodes[$0] } + parameters).map { $0.sum() }.reduce(Tensor(0)) { Self.apply(.add, $0, $1) }
  }

  private static func make(
    _ step: Step, _ nodes: [Tensor], _ inputs: [Tensor], _ parameters: [Tensor], _ captured: [Tensor]
  ) -> Tensor {
    switch step {
    case .input(let k): return inputs[k]
    case .parameter(let k): return parameters[k]
    case .captured(let k): return captured[k]
    case .constant(let data, let shape): return Tensor(data, shape: shape)
    case .binary(let f, let a, let b): return apply(f, nodes[a], nodes[b])
    case .scalar(let f, let a, let c, let first):
      return first ? apply(f, Tensor(c), nodes[a]) : apply(f, nodes[a], Tensor(c))
    case .negate(let a): return Neg(nodes[a], site: CallSite(#fileID, #line))
    case .relu(let a): return relu(nodes[a])
    case .sum(let a, let axes, let keepdims): return nodes[a].sum(axes: axes, keepdims: keepdims)
    case .reshape(let a, let dims): return nodes[a].reshape(dims)
    case .expand(let a, let shape): return nodes[a].expand(to: shape)
    case .matmul(let a, let b, let ta, let tb): return matmul(nodes[a], nodes[b], transposeA: ta, transposeB: tb)
    case .select(let c, let a, let b): return select(nodes[c], nodes[a], nodes[b])
    }
  }

  /// The op nodes are made directly with a call site, as the operators
  /// would make them: an operator finds its site from a symbolicated
  /// backtrace while tracing, which costs ~0.1 s a node in a debug build.
  private static func apply(_ f: BinaryFunction, _ a: Tensor, _ b: Tensor) -> Tensor {
    let site = CallSite(#fileID, #line)
    return switch f {
    case .add: Add(a, b, site: site)
    case .subtract: Sub(a, b, site: site)
    case .multiply: Mul(a, b, site: site)
    case .divide: Div(a, b, site: site)
    default: Compare(f, a, b, site: site)
    }
  }

  // MARK: Generating

  private mutating func append(_ step: Step) -> Int {
    steps.append(step)
    nodes.append(noGrad { Self.make(step, nodes, inputs, parameters, captured) })
    return nodes.count - 1
  }

  private mutating func randomShape() -> Shape {
    Shape((0..<random.int(0...3)).map { _ in random.int(1...4) })
  }

  private mutating func values(_ count: Int) -> [Float] {
    (0..<count).map { _ in random.uniform(-2, 2) }
  }

  /// A new leaf: 0 constant, 1 parameter, 2 input, 3 captured.
  private mutating func leaf(_ shape: Shape, kind: Int) -> Int {
    switch kind {
    case 0:
      let splat: Float? = random.chance(0.3) ? [0, 1, 2][random.int(0...2)] : nil
      return append(.constant(splat.map { Array(repeating: $0, count: shape.count) } ?? values(shape.count), shape))
    case 1:
      parameters.append(Tensor(values(shape.count), shape: shape, requiresGrad: true))
      return append(.parameter(parameters.count - 1))
    case 2:
      inputs.append(Tensor(values(shape.count), shape: shape))
      return append(.input(inputs.count - 1))
    default:
      captured.append(Tensor(values(shape.count), shape: shape))
      return append(.captured(captured.count - 1))
    }
  }

  /// An earlier node, most often a recent one.
  private mutating func pick() -> Int {
    random.chance(0.5) ? max(0, nodes.count - random.int(1...3)) : random.int(0...(nodes.count - 1))
  }

  /// A node whose shape broadcasts with `shape`: an earlier one, or a new
  /// leaf of `shape` with some dimensions 1 or dropped.
  private mutating func partner(for shape: Shape) -> Int {
    let fitting = nodes.indices.filter { Shape.broadcast(nodes[$0].shape, shape) != nil }
    if !fitting.isEmpty && random.chance(0.5) { return fitting[random.int(0...(fitting.count - 1))] }
    var dims = Array(shape.dims.dropFirst(random.int(0...shape.rank)))
    for k in dims.indices where random.chance(0.3) { dims[k] = 1 }
    return leaf(Shape(dims), kind: random.int(0...3))
  }

  private mutating func addOperation() {
    let a = pick()
    let shape = nodes[a].shape
    switch random.int(0...14) {
    case 0, 1:
      let f = [BinaryFunction.add, .subtract, .multiply][random.int(0...2)]
      _ = append(.binary(f, a, partner(for: shape)))
    case 2:
      let divisor: Int
      if random.chance(0.5) {
        let b = partner(for: shape)
        divisor = append(.scalar(.add, append(.binary(.multiply, b, b)), 0.5, constantFirst: false))
      } else {
        let dims = shape.dims.map { random.chance(0.5) ? 1 : $0 }
        let data = (0..<dims.reduce(1, *)).map { _ in random.chance(0.3) ? 1 : random.uniform(0.5, 2) }
        divisor = append(.constant(data, Shape(dims)))
      }
      _ = append(.binary(.divide, a, divisor))
    case 3:
      let identities: [(BinaryFunction, Float, Bool)] = [
        (.multiply, 1, false), (.multiply, 1, true), (.add, 0, false), (.add, 0, true), (.subtract, 0, false),
        (.divide, 1, false), (.multiply, 2, false), (.add, 1, true),
      ]
      let (f, c, first) = identities[random.int(0...(identities.count - 1))]
      _ = append(.scalar(f, a, c, constantFirst: first))
    case 4:
      let negated = append(.negate(a))
      if random.chance(0.5) { _ = append(.negate(negated)) }
    case 5:
      _ = append(.relu(a))
    case 6:
      let axes =
        random.chance(0.3)
        ? nil
        : (0..<shape.rank).filter { _ in random.chance(0.5) }.map {
          random.chance(0.3) ? $0 - shape.rank : $0
        }
      _ = append(.sum(a, axes: axes, keepdims: random.chance(0.5)))
    case 7:
      var options = [[shape.count], shape.dims.reversed(), shape.dims + [1], [1] + shape.dims, [-1]]
      if shape.count == 1 { options.append([]) }
      _ = append(.reshape(a, options[random.int(0...(options.count - 1))]))
    case 8:
      var dims = shape.dims.map { $0 == 1 ? random.int(1...3) : $0 }
      if random.chance(0.3) { dims.insert(2, at: 0) }
      _ = append(.expand(a, Shape(dims)))
    case 9, 14:
      addMatmul(a)
    case 10:
      let f = [BinaryFunction.greater, .greaterEqual, .less, .lessEqual, .equal, .notEqual][random.int(0...5)]
      _ = append(.binary(f, a, partner(for: shape)))
    case 11:
      let condition = append(.binary(.greater, a, partner(for: shape)))
      let yes = partner(for: nodes[condition].shape)
      guard let both = Shape.broadcast(nodes[condition].shape, nodes[yes].shape) else { return }
      _ = append(.select(condition, yes, partner(for: both)))
    case 12:
      // The same expression again, or with its operands swapped: CSE's work.
      guard let k = steps.indices.last(where: { steps[$0].isOperation }) else { return }
      if case .binary(let f, let a, let b) = steps[k], random.chance(0.5) {
        _ = append(.binary(f, b, a))
      } else {
        _ = append(steps[k])
      }
    case 13:
      // An expression of constants only: folding's work.
      let c = leaf(randomShape(), kind: 0)
      _ = append(.binary(.multiply, c, partner(for: nodes[c].shape)))
    default:
      break
    }
  }

  private mutating func addMatmul(_ a: Int) {
    let shape = nodes[a].shape
    guard shape.rank >= 1 else { return }
    let transposeA = shape.rank >= 2 && random.chance(0.3)
    let inner = transposeA ? shape[shape.rank - 2] : shape[shape.rank - 1]
    let transposeB = random.chance(0.3)
    let n = random.int(1...4)
    let wanted = Shape(transposeB ? [n, inner] : [inner, n])
    let existing = nodes.indices.filter { nodes[$0].shape == wanted }
    let b = !existing.isEmpty && random.chance(0.5) ? existing[0] : leaf(wanted, kind: random.int(0...3))
    _ = append(.matmul(a, b, transposeA: transposeA, transposeB: transposeB))
  }
}

extension PassRandomGraph.Step {
  var isOperation: Bool {
    switch self {
    case .input, .parameter, .captured, .constant: false
    default: true
    }
  }
}

extension TestRandom {
  /// Uniform in `range`.
  mutating func int(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(next() % UInt64(range.count))
  }

  /// True with probability `p`.
  mutating func chance(_ p: Float) -> Bool { uniform(0, 1) < p }
}
