/// A binary min-heap: `pop` returns the smallest element pushed so far.
/// The scheduler and the elementwise fusion pass keep their ready lists in one.
struct MinimumHeap<Element: Comparable> {
  private var items: [Element] = []

  mutating func push(_ item: Element) {
    items.append(item)
    var child = items.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      if !(items[child] < items[parent]) { break }
      items.swapAt(parent, child)
      child = parent
    }
  }

  mutating func pop() -> Element? {
    guard let top = items.first else { return nil }
    items[0] = items[items.count - 1]
    items.removeLast()
    var parent = 0
    while true {
      let (left, right) = (2 * parent + 1, 2 * parent + 2)
      var smallest = parent
      if left < items.count && items[left] < items[smallest] { smallest = left }
      if right < items.count && items[right] < items[smallest] { smallest = right }
      if smallest == parent { return top }
      items.swapAt(parent, smallest)
      parent = smallest
    }
  }
}
