/// Elementwise fusion: groups of elementwise instructions (unary, binary,
/// select) whose results share one shape become one `fused` instruction that
/// makes a single pass over the data.
///
/// ```
/// %10 = add %9, %3 : f32[8,16]                        %10, %11 = fused{$2 = add($0, $1);
/// %11 = relu %10 : f32[8,16]               ──►                  $3 = relu($2) -> $2, $3} %9, %3
/// %38 = gt %10, %37 : f32[8,16]  (backward)          # fused add+relu
/// ```
///
/// Instructions are visited in order. An elementwise instruction joins the
/// group of each elementwise producer of its inputs (so chains and DAGs
/// fuse) unless that producer is in another section, its result has another
/// shape than this instruction's (inputs may broadcast into a kernel, its
/// results may not), or the merged group would both feed and read some
/// outside instruction — a cycle once the group is one instruction. Each
/// refusal becomes a note on the consumer (`not fused with %9: producer is
/// matmul`).
///
/// A value made in a group and read outside it (a forward value the backward
/// pass needs, a program output) becomes one more output of the kernel. The
/// instructions are then put in an order of the fused graph that keeps the
/// original order where it can, each group where its last member was.
struct ElementwiseFusion: Pass {
  let name = "elementwise-fusion"

  func run(_ program: inout Program) {
    var grouping = Grouping(program)
    for i in program.instructions.indices { grouping.visit(i) }
    program.instructions = grouping.emit()
  }
}

/// The groups being formed: a union-find over instruction indices, whose
/// roots stand for groups (an instruction not fused is a group of one).
private struct Grouping {
  let program: Program
  let uses: FusionUses
  var parent: [Int]
  /// The members of each root's group.
  var members: [[Int]]
  /// Instructions making values a root's group reads (some may have joined
  /// the group since; resolve them with `root`).
  var producers: [[Int]]
  /// Notes added to each instruction.
  var notes: [[String]]
  /// Marks for the cycle search.
  var visited: [Int]
  var generation = 0

  init(_ program: Program) {
    let uses = FusionUses(program)
    self.program = program
    self.uses = uses
    let count = program.instructions.count
    parent = Array(0..<count)
    members = (0..<count).map { [$0] }
    producers = program.instructions.map { instruction in
      var made: [Int] = []
      for value in instruction.inputs {
        if let p = uses.producer[value], !made.contains(p) { made.append(p) }
      }
      return made
    }
    notes = Array(repeating: [], count: count)
    visited = Array(repeating: 0, count: count)
  }

  /// The group of instruction `i` (union by size keeps the trees shallow).
  func root(_ i: Int) -> Int {
    var r = i
    while parent[r] != r { r = parent[r] }
    return r
  }

  /// Joins instruction `i` to its producers' groups where it may.
  mutating func visit(_ i: Int) {
    let consumer = program.instructions[i]
    guard consumer.operation.isElementwise else { return }
    var seen: Set<ValueID> = []
    for value in consumer.inputs where seen.insert(value).inserted {
      guard let p = uses.producer[value] else { continue }
      if let reason = refusal(program.instructions[p], value, consumer) {
        notes[i].append(Program.notFused(value, reason))
        continue
      }
      let (a, b) = (root(p), root(i))
      if a == b { continue }
      if let outside = cycle(joining: a, b) {
        let through = program.noteLabel(program.instructions[members[outside].min()!])
        notes[i].append(Program.notFused(value, "fusing would make a cycle through \(through)"))
        continue
      }
      merge(a, b)
    }
  }

  /// Why the producer of `value` cannot join `consumer`'s kernel, if so.
  func refusal(_ producer: Instruction, _ value: ValueID, _ consumer: Instruction) -> String? {
    if !producer.operation.isElementwise { return "producer is \(producer.operation.name)" }
    if producer.section != consumer.section {
      return "producer is in \(producer.section.rawValue), this in \(consumer.section.rawValue)"
    }
    let kernel = consumer.outputs[0]
    if program.values[value].shape != program.values[kernel].shape {
      return "shape \(program.type(of: value)) differs from kernel \(program.type(of: kernel))"
    }
    return nil
  }

  /// An outside group through which groups `a` and `b` would reach each
  /// other if merged (then merging makes a cycle), or nil.
  ///
  /// Searches back from what the two read; a group reached that reads from
  /// `a` or `b` closes a path out of the merged group and back into it.
  mutating func cycle(joining a: Int, _ b: Int) -> Int? {
    generation += 1
    var stack: [Int] = []
    for g in [a, b] {
      for p in producers[g] {
        let r = root(p)
        if r != a && r != b && visited[r] != generation {
          visited[r] = generation
          stack.append(r)
        }
      }
    }
    while let h = stack.popLast() {
      for p in producers[h] {
        let r = root(p)
        if r == a || r == b { return h }
        if visited[r] != generation {
          visited[r] = generation
          stack.append(r)
        }
      }
    }
    return nil
  }

  mutating func merge(_ a: Int, _ b: Int) {
    let (big, small) = members[a].count >= members[b].count ? (a, b) : (b, a)
    parent[small] = big
    members[big] += members[small]
    members[small] = []
    var outside: [Int] = []
    for p in producers[big] + producers[small] where root(p) != big {
      if !outside.contains(where: { root($0) == root(p) }) { outside.append(p) }
    }
    producers[big] = outside
    producers[small] = []
  }

  /// The new instruction list: groups of two or more as `fused`
  /// instructions, in a topological order of the groups that takes, among
  /// those ready, the one whose last member came first.
  func emit() -> [Instruction] {
    let count = program.instructions.count
    var last = [Int](repeating: -1, count: count)
    for i in 0..<count { last[root(i)] = i }
    // Edges between groups: data flow, and each assign after every reader
    // of the buffer it overwrites.
    var successors = [[Int]](repeating: [], count: count)
    var waiting = [Int](repeating: 0, count: count)
    func edge(_ from: Int, _ to: Int) {
      let (f, t) = (root(from), root(to))
      guard f != t, !successors[f].contains(t) else { return }
      successors[f].append(t)
      waiting[t] += 1
    }
    for (i, instruction) in program.instructions.enumerated() {
      for value in instruction.inputs { if let p = uses.producer[value] { edge(p, i) } }
      for target in instruction.inPlaceTargets {
        for reader in uses.users[target] where reader != i { edge(reader, i) }
      }
    }
    var ready = MinimumHeap()
    for i in 0..<count where root(i) == i && waiting[i] == 0 { ready.push(last[i]) }
    var result: [Instruction] = []
    while let key = ready.pop() {
      let group = root(key)
      result.append(instruction(for: group))
      for next in successors[group] {
        waiting[next] -= 1
        if waiting[next] == 0 { ready.push(last[next]) }
      }
    }
    precondition(result.count == Set((0..<count).map { root($0) }).count, "elementwise fusion made a cycle")
    return result
  }

  /// A group's instruction: its only member (with the notes added here), or
  /// a `fused` instruction whose outputs are the values read outside it.
  func instruction(for group: Int) -> Instruction {
    let order = members[group].sorted()
    let parts = order.map { i in
      var member = program.instructions[i]
      member.notes += notes[i]
      return member
    }
    guard parts.count > 1 else { return parts[0] }
    let inside = Set(order)
    var exported = parts.map { $0.outputs[0] }.filter { value in
      uses.isOutput[value] || uses.users[value].contains { !inside.contains($0) }
    }
    if exported.isEmpty { exported = [parts.last!.outputs[0]] }
    let (kernel, inputs) = FusedKernel.computing(parts, outputs: exported)
    return Instruction(
      .fused(kernel), inputs: inputs, outputs: exported, section: parts.last!.section, location: parts[0].location,
      notes: program.fusionNotes("fused \(kernel.stepNames)", members: parts))
  }
}

/// A binary min-heap of instruction indices.
private struct MinimumHeap {
  private var items: [Int] = []

  mutating func push(_ item: Int) {
    items.append(item)
    var child = items.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      if items[parent] <= items[child] { break }
      items.swapAt(parent, child)
      child = parent
    }
  }

  mutating func pop() -> Int? {
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
