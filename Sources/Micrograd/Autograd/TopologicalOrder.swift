/// Graph walks shared by eager backward and the tracer.
extension Tensor {
  /// Every tensor `self` depends on through kept inputs, inputs before users,
  /// `self` last. Only nodes that require grad are followed when
  /// `requiringGrad` is set.
  ///
  /// Iterative depth-first search with an explicit stack: a chain of a million
  /// ops needs no deep recursion.
  func topologicalOrder(requiringGrad: Bool = true) -> [Tensor] {
    var order: [Tensor] = []
    var visited: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
    var stack: [(node: Tensor, next: Int)] = [(self, 0)]
    while let (node, next) = stack.popLast() {
      if next < node.inputs.count {
        stack.append((node, next + 1))
        let input = node.inputs[next]
        if (!requiringGrad || input.requiresGrad) && visited.insert(ObjectIdentifier(input)).inserted {
          stack.append((input, 0))
        }
      } else {
        order.append(node)
      }
    }
    return order
  }
}
