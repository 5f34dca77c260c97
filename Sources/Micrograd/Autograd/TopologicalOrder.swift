/// Every tensor the roots depend on through kept inputs, inputs before
/// users, the roots last; only inputs for which `follow` holds are entered.
///
/// Iterative depth-first search with an explicit stack: a chain of a million
/// ops needs no deep recursion. Shared by eager backward and the compiler.
func topologicalOrder(_ roots: [Tensor], follow: (Tensor) -> Bool = { _ in true }) -> [Tensor] {
  var order: [Tensor] = []
  var visited: Set<ObjectIdentifier> = []
  for root in roots where visited.insert(ObjectIdentifier(root)).inserted {
    var stack: [(node: Tensor, next: Int)] = [(root, 0)]
    while let (node, next) = stack.popLast() {
      if next < node.inputs.count {
        stack.append((node, next + 1))
        let input = node.inputs[next]
        if follow(input) && visited.insert(ObjectIdentifier(input)).inserted { stack.append((input, 0)) }
      } else {
        order.append(node)
      }
    }
  }
  return order
}
