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
    for root in roots {
      let (first, isNew) = numbered(root)
      guard isNew else { continue }
      // The entry on top is advanced in place (popping and pushing it back
      // retained and released its input list at every step).
      var stack: [(node: Int, inputs: [Tensor], next: Int)] = [(first, root.inputs, 0)]
      while let top = stack.indices.last {
        let (node, next) = (stack[top].node, stack[top].next)
        guard next < stack[top].inputs.count else {
          order.append(node)
          stack.removeLast()
          continue
        }
        stack[top].next += 1
        let input = stack[top].inputs[next]
        let (n, isNew) = numbered(input)
        inputNumbers[inputStart[node] + next] = n
        if isNew { stack.append((n, input.inputs, 0)) }
      }
    }
  }

  /// The number of `node`, and whether it is new: a new node is numbered
  /// here, with room for its inputs' numbers.
  ///
  /// One dictionary operation for a new node (most are met once): the
  /// number is set first and put back if the node had one.
  private mutating func numbered(_ node: Tensor) -> (number: Int, isNew: Bool) {
    let n = nodes.count
    if let known = number.updateValue(n, forKey: ObjectIdentifier(node)) {
      number[ObjectIdentifier(node)] = known
      return (known, false)
    }
    nodes.append(node)
    inputStart.append(inputNumbers.count)
    inputNumbers += repeatElement(-1, count: node.inputs.count)
    return (n, true)
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
