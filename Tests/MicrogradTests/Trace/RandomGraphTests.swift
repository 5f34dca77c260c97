import Testing

@testable import Micrograd

/// A random computation, drawn once from a seed and then applied to either
/// eager or traced leaves, so both modes compute the same graph.
struct RandomGraph: CustomTestStringConvertible, Sendable {
  enum Step: Sendable {
    case binary(Int, Int, Int)  // kind, lhs, rhs
    case unary(Int, Int)  // kind, operand
    case sum(Int, [Int], Bool)
    case reshapeFlat(Int)
    case expand(Int, Shape)
    case matmul(Int, Int)
    case select(Int, Int, Int)
    case transcendental(Int, Int)  // kind, operand
    case reduction(Int, Int, Int)  // kind, operand, axis
    case transpose(Int)
    case slice(Int, Int)  // operand, axis
    case concatenate(Int, Int)  // operand, axis
  }

  static let leafShapes: [Shape] = [[3, 4], [4], [1, 4], [3, 1], [], [2, 3, 4], [4, 2]]
  let seed: UInt64
  var leafShapes: [Shape] = []
  var steps: [Step] = []
  var testDescription: String { "graph \(seed)" }

  init(seed: UInt64) {
    self.seed = seed
    var random = TestRandom(seed: seed)
    func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
    let leafCount = 3 + pick(3)
    leafShapes = (0..<leafCount).map { _ in Self.leafShapes[pick(Self.leafShapes.count)] }
    var shapes = leafShapes
    for _ in 0..<(4 + pick(10)) {
      let a = pick(shapes.count)
      let kind = pick(12)
      switch kind {
      case 0:
        // A partner that broadcasts with `a` (reuse of nodes is common).
        let partners = shapes.indices.filter { Shape.broadcast(shapes[a], shapes[$0]) != nil }
        let b = partners[pick(partners.count)]
        let op = pick(4)
        steps.append(.binary(op, a, b))
        shapes.append(Shape.broadcast(shapes[a], shapes[b])!)
      case 1:
        steps.append(.unary(pick(2), a))
        shapes.append(shapes[a])
      case 2 where shapes[a].rank > 0:
        let axes = (0..<shapes[a].rank).filter { _ in pick(2) == 0 }
        let keep = pick(2) == 0
        steps.append(.sum(a, axes.isEmpty ? [shapes[a].rank - 1] : axes, keep))
        shapes.append(reducedShape(shapes[a], axes.isEmpty ? [shapes[a].rank - 1] : axes, keepdims: keep))
      case 3:
        steps.append(.reshapeFlat(a))
        shapes.append([shapes[a].count])
      case 4:
        let target = Shape([2] + shapes[a].dims)
        steps.append(.expand(a, target))
        shapes.append(target)
      case 5 where shapes[a].rank >= 2:
        let k = shapes[a][shapes[a].rank - 1]
        let partners = shapes.indices.filter { shapes[$0].rank == 2 && shapes[$0][0] == k }
        if let b = partners.isEmpty ? nil : partners[pick(partners.count)] {
          steps.append(.matmul(a, b))
          shapes.append(matmulShape(shapes[a], false, shapes[b], false, CallSite(#fileID, #line)))
        }
      case 6:
        let partners = shapes.indices.filter { Shape.broadcast(shapes[a], shapes[$0]) != nil }
        let b = partners[pick(partners.count)]
        let c = partners[pick(partners.count)]
        if let ab = Shape.broadcast(shapes[a], shapes[b]), let abc = Shape.broadcast(ab, shapes[c]) {
          steps.append(.select(a, b, c))
          shapes.append(abc)
        }
      case 7:
        steps.append(.transcendental(pick(5), a))
        shapes.append(shapes[a])
      case 8 where shapes[a].rank > 0:
        let axis = pick(shapes[a].rank)
        steps.append(.reduction(pick(4), a, axis))
        var dims = shapes[a].dims
        dims.remove(at: axis)
        shapes.append(Shape(dims))
      case 9 where shapes[a].rank >= 2:
        steps.append(.transpose(a))
        var dims = shapes[a].dims
        dims.swapAt(dims.count - 1, dims.count - 2)
        shapes.append(Shape(dims))
      case 10 where shapes[a].rank > 0:
        let axis = pick(shapes[a].rank)
        steps.append(.slice(a, axis))
        var dims = shapes[a].dims
        dims[axis] = (dims[axis] + 1) / 2
        shapes.append(Shape(dims))
      case 11 where shapes[a].rank > 0:
        let axis = pick(shapes[a].rank)
        steps.append(.concatenate(a, axis))
        var dims = shapes[a].dims
        dims[axis] *= 2
        shapes.append(Shape(dims))
      default:
        break
      }
    }
  }

  /// Applies the steps to `leaves`; the loss weighs every node's sum.
  func apply(_ leaves: [Tensor]) -> Tensor {
    var nodes = leaves
    for step in steps {
      switch step {
      case .binary(let op, let a, let b):
        let (x, y) = (nodes[a], nodes[b])
        switch op {
        case 0: nodes.append(x + y)
        case 1: nodes.append(x - y)
        case 2: nodes.append(x * y)
        default: nodes.append(x / (y * y + 1))  // denominators kept away from 0
        }
      case .unary(let op, let a): nodes.append(op == 0 ? -nodes[a] : relu(nodes[a]))
      case .sum(let a, let axes, let keep): nodes.append(nodes[a].sum(axes: axes, keepdims: keep))
      case .reshapeFlat(let a): nodes.append(nodes[a].reshape([-1]))
      case .expand(let a, let shape): nodes.append(nodes[a].expand(to: shape))
      case .matmul(let a, let b): nodes.append(matmul(nodes[a], nodes[b]))
      case .select(let a, let b, let c): nodes.append(select(nodes[a] .> 0, nodes[b], nodes[c]))
      case .transcendental(let kind, let a):
        let x = nodes[a]
        switch kind {
        case 0: nodes.append(tanh(x))
        case 1: nodes.append(sigmoid(x))
        case 2: nodes.append(exp(tanh(x)))  // bounded, so values stay O(1)
        case 3: nodes.append(log(x * x + 1))
        default: nodes.append(pow(x * x + 1, 1.5))
        }
      case .reduction(let kind, let a, let axis):
        let x = nodes[a]
        switch kind {
        case 0: nodes.append(x.mean(axis: axis))
        case 1: nodes.append(x.max(axis: axis))
        case 2: nodes.append(x.logsumexp(axis: axis))
        default: nodes.append(softmax(x, axis: axis).sum(axis: axis))
        }
      case .transpose(let a): nodes.append(nodes[a].transpose())
      case .slice(let a, let axis): nodes.append(nodes[a].slice(axis: axis, start: 0, step: 2))
      case .concatenate(let a, let axis): nodes.append(concatenate([nodes[a], -nodes[a]], axis: axis))
      }
    }
    var loss = nodes[leaves.count...].reduce(nodes[0].sum()) { $0 + $1.sum() * 0.5 }
    loss = loss + nodes.last!.sum()
    return loss
  }
}

/// Compiled equals eager on seeded random graphs: loss and every gradient.
@Suite struct RandomGraphTests {
  /// Kinks (relu at 0, comparisons) are measure-zero for random inputs;
  /// a compiled program may sum in a different order than eager (fused
  /// reductions), so values agree to float32 rounding of O(10) terms:
  /// |compiled - eager| <= 1e-4 * (1 + |eager|).
  static let tolerance: Float = 1e-4

  /// The generator reaches every kind of step often (a test of the test).
  @Test func graphsCoverEveryStepKind() {
    var counts: [String: Int] = [:]
    for seed in 0..<500 {
      for step in RandomGraph(seed: UInt64(seed)).steps {
        let label = "\(step)".prefix { $0 != "(" }
        counts[String(label), default: 0] += 1
      }
    }
    #expect(counts.count == 12, "\(counts)")
    #expect(counts.values.allSatisfy { $0 >= 50 }, "\(counts)")
  }

  @Test(arguments: (0..<500).map { RandomGraph(seed: UInt64($0)) })
  func compiledEqualsEager(_ graph: RandomGraph) throws {
    var random = TestRandom(seed: graph.seed &+ 1000)
    let leaves = graph.leafShapes.map { random.tensor($0) }
    // The first leaves are parameters (concrete, differentiated); the rest inputs.
    let parameterCount = max(1, leaves.count / 2)
    let parameters = Array(leaves[..<parameterCount])
    let inputs = Array(leaves[parameterCount...]).map { $0.detach() }
    let eagerLoss = graph.apply(parameters + inputs)
    eagerLoss.backward()
    let f = compileValueAndGrad(withRespectTo: parameters) { xs in graph.apply(parameters + xs) }
    let results = try f.call(inputs)
    func close(_ a: [Float], _ b: [Float]) -> Bool {
      zip(a, b).allSatisfy { abs($0 - $1) <= Self.tolerance * (1 + abs($1)) }
    }
    #expect(close(results[0].scalars, eagerLoss.scalars), "loss \(results[0].scalars) vs \(eagerLoss.scalars)")
    for (k, p) in parameters.enumerated() {
      let expected = p.grad?.scalars ?? [Float](repeating: 0, count: p.count)
      #expect(close(results[k + 1].scalars, expected), "grad \(k)")
    }
  }
}
