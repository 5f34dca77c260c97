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
    fuse(&program)
  }

  /// Runs the pass and returns how many producer links its cycle checks
  /// followed: the pass's work beyond one look at each instruction, which
  /// tests hold to linear growth.
  @discardableResult
  func fuse(_ program: inout Program) -> Int {
    var grouping = Grouping(program)
    for i in program.instructions.indices { grouping.visit(i) }
    program.instructions = grouping.emit()
    return grouping.searchSteps
  }
}

/// The groups being formed: a union-find over instruction indices, whose
/// roots stand for groups (an instruction not fused is a group of one).
///
/// The groups keep a topological order of their own (`rank`, a label per
/// root; the instruction index to start with): a group reading from another
/// has a higher rank. Merging a producer's group `a` into its consumer's
/// group `b` makes a cycle exactly when some outside group lies on a path
/// from `a` to `b`, and every group on such a path ranks between the two,
/// so the search back from `b` never leaves that window. After a merge the
/// ancestors of `b` found in the window move before the merged group and the
/// descendants of `a` ranked below them after it, which keeps the order
/// topological (the dynamic topological order of Pearce and Kelly). A chain
/// or a backward pass then costs a step or two per merge instead of a walk
/// over everything before it.
private struct Grouping {
  let program: Program
  let uses: FusionUses
  var parent: [Int]
  /// The members of each group as a circular list: each instruction names
  /// the next member of its group (itself when alone), so merging two
  /// groups splices two lists in one step and allocates nothing.
  var nextMember: [Int]
  /// The number of members of each root's group.
  var size: [Int]
  /// Instructions making values a root's group reads (some may have joined
  /// the group since, or be listed twice; resolve them with `root`).
  var producers: [[Int]]
  /// Instructions reading values a root's group makes (the same way).
  var consumers: [[Int]]
  /// Each root's place in a topological order of the groups.
  var rank: [Int]
  /// Notes added to each instruction.
  var notes: [[String]]
  /// Marks for the cycle search.
  var visited: [Int]
  var generation = 0
  /// Marks for compacting a producer list.
  var listed: [Int]
  var listing = 0
  /// The stack of the last cycle search, kept for its room.
  var searchStack: [Int] = []
  /// Producer links followed by cycle searches so far.
  var searchSteps = 0

  init(_ program: Program) {
    let uses = FusionUses(program)
    self.program = program
    self.uses = uses
    let count = program.instructions.count
    parent = Array(0..<count)
    nextMember = Array(0..<count)
    size = Array(repeating: 1, count: count)
    producers = program.instructions.indices.map { i in
      var made: [Int] = []
      for value in program.instructions[i].inputs {
        if let p = uses.producer[value], !made.contains(p) { made.append(p) }
      }
      return made
    }
    consumers = Array(repeating: [], count: count)
    for (i, list) in producers.enumerated() { for p in list { consumers[p].append(i) } }
    rank = Array(0..<count)
    notes = Array(repeating: [], count: count)
    visited = Array(repeating: 0, count: count)
    listed = Array(repeating: 0, count: count)
  }

  /// The group of instruction `i` (union by size keeps the trees shallow).
  func root(_ i: Int) -> Int {
    var r = i
    while parent[r] != r { r = parent[r] }
    return r
  }

  /// The members of group `group`, in no particular order.
  func members(of group: Int) -> [Int] {
    var found = [group]
    var member = nextMember[group]
    while member != group {
      found.append(member)
      member = nextMember[member]
    }
    return found
  }

  /// Joins instruction `i` to its producers' groups where it may.
  mutating func visit(_ i: Int) {
    guard program.instructions[i].operation.isElementwise else { return }
    let inputs = program.instructions[i].inputs
    // Each distinct input once (an elementwise instruction has at most three).
    for (k, value) in inputs.enumerated() where !inputs[..<k].contains(value) {
      guard let p = uses.producer[value] else { continue }
      if let reason = refusal(p, value, i) {
        notes[i].append(Program.notFused(value, reason))
        continue
      }
      let (a, b) = (root(p), root(i))
      if a == b { continue }
      let (outside, ancestors) = cycle(from: a, to: b)
      if let outside {
        let through = program.noteLabel(program.instructions[members(of: outside).min()!])
        notes[i].append(Program.notFused(value, "fusing would make a cycle through \(through)"))
        continue
      }
      merge(a, b, movingBefore: ancestors)
    }
  }

  /// Why the producer of `value` (instruction `p`) cannot join the kernel
  /// of instruction `i`, if so. (Fields are read in place: copying the two
  /// instructions cost more than the checks.)
  func refusal(_ p: Int, _ value: ValueID, _ i: Int) -> String? {
    let operation = program.instructions[p].operation
    if !operation.isElementwise { return "producer is \(operation.name)" }
    let (producerSection, section) = (program.instructions[p].section, program.instructions[i].section)
    if producerSection != section {
      return "producer is in \(producerSection.rawValue), this in \(section.rawValue)"
    }
    let kernel = program.instructions[i].outputs[0]
    if program.values[value].shape != program.values[kernel].shape {
      return "shape \(program.type(of: value)) differs from kernel \(program.type(of: kernel))"
    }
    return nil
  }

  /// An outside group on a path from group `a` to group `b`, if any (then
  /// merging them makes a cycle); else the outside ancestors of `b` ranked
  /// between the two, in rank order.
  ///
  /// `a` makes a value `b` reads. Searches back from what `b` reads, only
  /// through groups ranked above `a` (no other can be reached from `a`); a
  /// group reached that reads from `a` closes a path out of the merged group
  /// and back into it.
  mutating func cycle(from a: Int, to b: Int) -> (outside: Int?, ancestors: [Int]) {
    generation += 1
    var found: [Int] = []
    // The room of the last search's stack is reused: most searches take a step or two.
    var stack: [Int] = []
    swap(&stack, &searchStack)
    defer { swap(&stack, &searchStack) }
    stack.removeAll(keepingCapacity: true)
    stack.append(b)
    while let h = stack.popLast() {
      compactProducers(of: h)
      for r in producers[h] {
        searchSteps += 1
        if r == a {
          if h != b { return (h, []) }
          continue
        }
        if r != b && rank[r] > rank[a] && visited[r] != generation {
          visited[r] = generation
          found.append(r)
          stack.append(r)
        }
      }
    }
    return (nil, found.sorted { rank[$0] < rank[$1] })
  }

  /// Rewrites the producer list of root `h` as the distinct groups it
  /// reads from other than itself (entries that joined `h`, or a group
  /// listed already, never come back: each is dropped once).
  mutating func compactProducers(of h: Int) {
    var list: [Int] = []
    swap(&list, &producers[h])
    compact(&list, of: h)
    swap(&list, &producers[h])
  }

  /// Rewrites the consumer list of root `h` the same way.
  mutating func compactConsumers(of h: Int) {
    var list: [Int] = []
    swap(&list, &consumers[h])
    compact(&list, of: h)
    swap(&list, &consumers[h])
  }

  /// Rewrites `list` (instructions) in place as their distinct groups,
  /// other than `h`.
  mutating func compact(_ list: inout [Int], of h: Int) {
    listing += 1
    listed[h] = listing
    var count = 0
    for k in list.indices {
      searchSteps += 1
      let r = root(list[k])
      if listed[r] != listing {
        listed[r] = listing
        list[count] = r
        count += 1
      }
    }
    list.removeLast(list.count - count)
  }

  /// The outside descendants of `a` ranked below `bound`, in rank order:
  /// the groups that must stay after the merged group when the ancestors
  /// of its reader move before it.
  mutating func descendants(of a: Int, below bound: Int, besides b: Int) -> [Int] {
    generation += 1
    var found: [Int] = []
    var stack = [a]
    while let h = stack.popLast() {
      compactConsumers(of: h)
      for r in consumers[h] {
        searchSteps += 1
        if r != b && rank[r] < bound && visited[r] != generation {
          visited[r] = generation
          found.append(r)
          stack.append(r)
        }
      }
    }
    return found.sorted { rank[$0] < rank[$1] }
  }

  /// Merges `a` into its reader `b`. The outside ancestors of `b` ranked
  /// above `a` (`ancestors`, in rank order) move before the merged group,
  /// and the outside descendants of `a` ranked below the last of them after
  /// it (Pearce and Kelly's reordering): together with `a` they share out
  /// the labels they hold, in that order, each side keeping its own order.
  mutating func merge(_ a: Int, _ b: Int, movingBefore ancestors: [Int]) {
    var merged = rank[a]
    if let bound = ancestors.last.map({ rank[$0] }) {
      let after = descendants(of: a, below: bound, besides: b)
      let labels = ([rank[a]] + (ancestors + after).map { rank[$0] }).sorted()
      for (group, label) in zip(ancestors, labels) { rank[group] = label }
      merged = labels[ancestors.count]
      for (group, label) in zip(after, labels[(ancestors.count + 1)...]) { rank[group] = label }
    }
    let (big, small) = size[a] >= size[b] ? (a, b) : (b, a)
    parent[small] = big
    rank[big] = merged
    size[big] += size[small]
    nextMember.swapAt(big, small)
    // The shorter list joins the longer: each entry moves O(log n) times.
    if producers[big].count < producers[small].count { producers.swapAt(big, small) }
    producers[big] += producers[small]
    producers[small] = []
    if consumers[big].count < consumers[small].count { consumers.swapAt(big, small) }
    consumers[big] += consumers[small]
    consumers[small] = []
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
    // An edge may be listed twice; it is then also waited on twice.
    func edge(_ from: Int, _ to: Int) {
      let (f, t) = (root(from), root(to))
      guard f != t else { return }
      successors[f].append(t)
      waiting[t] += 1
    }
    for i in program.instructions.indices {
      for value in program.instructions[i].inputs { if let p = uses.producer[value] { edge(p, i) } }
      for target in program.instructions[i].inPlaceTargets {
        for reader in uses.users(of: target) where reader != i { edge(reader, i) }
      }
    }
    var ready = MinimumHeap<Int>()
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
    precondition(result.count == (0..<count).count(where: { root($0) == $0 }), "elementwise fusion made a cycle")
    return result
  }

  /// A group's instruction: its only member (with the notes added here), or
  /// a `fused` instruction whose outputs are the values read outside it.
  /// The members are read where they are, not copied.
  func instruction(for group: Int) -> Instruction {
    guard size[group] > 1 else {
      var only = program.instructions[group]
      if !notes[group].isEmpty { only.addNotes(notes[group]) }
      return only
    }
    let order = members(of: group).sorted()
    let instructions = program.instructions
    var exported = order.map { instructions[$0].outputs[0] }.filter { value in
      uses.isOutput[value] || uses.users(of: value).contains { root($0) != group }
    }
    if exported.isEmpty { exported = [instructions[order.last!].outputs[0]] }
    let (kernel, inputs) = FusedKernel.computing(order, of: instructions, outputs: exported)
    var added: [Int: [String]] = [:]
    for i in order where !notes[i].isEmpty { added[i] = notes[i] }
    return Instruction(
      .fused(kernel), inputs: inputs, outputs: exported, section: instructions[order.last!].section,
      location: instructions[order[0]].location,
      noteList: Program.fusionNotes("fused \(kernel.stepNames)", members: order, of: instructions, added: added))
  }
}
