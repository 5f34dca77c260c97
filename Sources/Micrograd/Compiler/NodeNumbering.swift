/// The nodes of a traced graph numbered once for lowering, so that lowering
/// looks a tensor up by identity only while numbering: afterwards a node is
/// its number, its inputs are numbers, and sets of nodes are arrays of flags.
///
/// ``order`` is exactly ``topologicalOrder(_:follow:)`` of the same roots (the
/// same depth-first search, inputs in order), so programs are numbered as
/// before.
struct NodeNumbering {
  /// The nodes, by number (numbered as the search first meets them).
  private(set) var nodes: [Tensor] = []
  /// Each node's number, by identity.
  private(set) var number: [ObjectIdentifier: Int] = [:]
  /// The node numbers in topological order: inputs before users, roots last.
  private(set) var order: [Int] = []
  /// Node `n`'s inputs are `inputNumbers[inputStart[n]..<inputStart[n] + nodes[n].inputs.count]`.
  private var inputStart: [Int] = []
  private var inputNumbers: [Int] = []

  /// Numbers every node the roots depend on.
  init(_ roots: [Tensor]) {
    for root in roots where number[ObjectIdentifier(root)] == nil {
      // The entry on top is advanced in place (popping and pushing it back
      // retained and released its input list at every step).
      var stack: [(node: Int, inputs: [Tensor], next: Int)] = [(add(root), root.inputs, 0)]
      while let top = stack.indices.last {
        let (node, next) = (stack[top].node, stack[top].next)
        guard next < stack[top].inputs.count else {
          order.append(node)
          stack.removeLast()
          continue
        }
        stack[top].next += 1
        let input = stack[top].inputs[next]
        if let known = number[ObjectIdentifier(input)] {
          inputNumbers[inputStart[node] + next] = known
        } else {
          let added = add(input)
          inputNumbers[inputStart[node] + next] = added
          stack.append((added, input.inputs, 0))
        }
      }
    }
  }

  /// Numbers `node`, with room for its inputs' numbers.
  private mutating func add(_ node: Tensor) -> Int {
    let n = nodes.count
    nodes.append(node)
    number[ObjectIdentifier(node)] = n
    inputStart.append(inputNumbers.count)
    inputNumbers += repeatElement(-1, count: node.inputs.count)
    return n
  }

  /// The numbers of node `n`'s inputs, in order.
  func inputs(of n: Int) -> ArraySlice<Int> {
    inputNumbers[inputStart[n]..<(n + 1 < inputStart.count ? inputStart[n + 1] : inputNumbers.count)]
  }

  /// For each node, whether it is reachable from `roots` (a root counts):
  /// one sweep back over ``order``. A root that is not numbered is followed
  /// by a search of its own.
  func reachable(from roots: [Tensor]) -> [Bool] {
    var found = Array(repeating: false, count: nodes.count)
    guard roots.allSatisfy({ number[ObjectIdentifier($0)] != nil }) else {
      for node in topologicalOrder(roots) {
        if let n = number[ObjectIdentifier(node)] { found[n] = true }
      }
      return found
    }
    for root in roots { found[number[ObjectIdentifier(root)]!] = true }
    for n in order.reversed() where found[n] {
      for input in inputs(of: n) { found[input] = true }
    }
    return found
  }
}
