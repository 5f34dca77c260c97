/// Reorders the instructions into a topological order that keeps the live
/// set (the temporaries computed and still to be read) small.
///
/// A greedy list scheduler. An instruction is ready once everything it
/// depends on has been placed; among the ready ones it places, in order of
/// preference:
/// 1. the one in the earliest section (forward, then backward, then
///    update), so sections stay contiguous wherever the dependencies allow;
/// 2. the one that shrinks the live set most: bytes of temporaries it reads
///    for the last time (freed after it runs) minus bytes it writes;
/// 3. the one that came first in the program, so the result is
///    deterministic and, with nothing to gain, the order is unchanged.
///
/// Dependencies, from the original order: an instruction reading a value
/// comes after the one writing it; an `assign` comes after every
/// instruction that read its target before it (they must see the old data)
/// and after the previous write of the target; a read placed after an
/// `assign` stays after it. So an assign to a parameter follows every read
/// of that parameter. Returned values stay live to the end and are never
/// counted as freed; inputs, parameters, state and constants are not
/// temporaries and cost nothing.
///
/// The choice is local (greedy), not optimal: it looks one instruction ahead.
/// The ready instructions wait in a heap by that key, so a program of n
/// instructions is scheduled in O(n log n), however many are ready at once.
/// ``peakLiveBytes(_:)`` measures what it tries to keep small.
struct Schedule: Pass {
  var name: String { "schedule" }

  func run(_ program: inout Program) {
    // One instruction has one order (and the tables by value would cost a pass over every value).
    guard program.instructions.count > 1 else { return }
    schedule(&program)
  }

  /// Runs the pass and returns how many times it looked at a ready
  /// instruction (pushed or popped one): linear in the program's size, which
  /// tests check.
  @discardableResult
  func schedule(_ program: inout Program) -> Int {
    let instructions = program.instructions
    let reads = Self.distinctReads(instructions, valueCount: program.values.count)
    let successors = Self.dependencies(instructions, reads: reads, valueCount: program.values.count)
    var waitingOn = Array(repeating: 0, count: instructions.count)
    for list in successors { for next in list { waitingOn[next] += 1 } }
    var isOutput = Array(repeating: false, count: program.values.count)
    for id in program.outputs { isOutput[id] = true }
    var remainingReads = Array(repeating: 0, count: program.values.count)
    var readers = Array(repeating: [Int](), count: program.values.count)
    for (index, list) in reads.enumerated() {
      for id in list {
        remainingReads[id] += 1
        readers[id].append(index)
      }
    }
    var placed = Array(repeating: false, count: instructions.count)

    /// Bytes freed minus bytes written if instruction `index` ran now.
    func gain(_ index: Int) -> Int {
      var bytes = 0
      for id in reads[index]
      where remainingReads[id] == 1 && program.values[id].role == .temporary && !isOutput[id] {
        bytes += program.byteCount(of: id)
      }
      for id in instructions[index].outputs { bytes -= program.byteCount(of: id) }
      return bytes
    }
    func key(_ index: Int) -> Key { Key(section: instructions[index].section.rank, loss: -gain(index), index: index) }

    // The ready instructions by key. A gain only grows while an
    // instruction waits (a value it reads becomes its last read), and then
    // it is pushed again: the entry with its old, larger key is skipped
    // when it comes up.
    var ready = MinimumHeap<Key>()
    var work = 0
    for index in instructions.indices where waitingOn[index] == 0 { ready.push(key(index)) }
    var order: [Int] = []
    order.reserveCapacity(instructions.count)
    while let entry = ready.pop() {
      work += 1
      let chosen = entry.index
      guard !placed[chosen], entry == key(chosen) else { continue }
      placed[chosen] = true
      order.append(chosen)
      for id in reads[chosen] {
        remainingReads[id] -= 1
        // The last reader left now frees `id`: its gain grew.
        if remainingReads[id] == 1, let last = readers[id].first(where: { !placed[$0] }), waitingOn[last] == 0 {
          ready.push(key(last))
          work += 1
        }
      }
      for next in successors[chosen] {
        waitingOn[next] -= 1
        if waitingOn[next] == 0 {
          ready.push(key(next))
          work += 1
        }
      }
    }
    precondition(order.count == instructions.count, "schedule: the program's dependencies form a cycle")
    program.instructions = order.map { instructions[$0] }
    return work
  }

  /// Which ready instruction goes first: earliest section, then largest
  /// gain, then earliest position: the smallest key.
  struct Key: Comparable {
    var section: Int
    var loss: Int
    var index: Int

    static func < (a: Key, b: Key) -> Bool {
      (a.section, a.loss, a.index) < (b.section, b.loss, b.index)
    }
  }

  /// For each instruction, the values it reads, each once, in order of
  /// first read (marks by value rather than a set per instruction).
  static func distinctReads(_ instructions: [Instruction], valueCount: Int) -> [[ValueID]] {
    var lastReader = Array(repeating: -1, count: valueCount)
    return instructions.indices.map { index in
      var distinct: [ValueID] = []
      for id in instructions[index].reads where lastReader[id] != index {
        lastReader[id] = index
        distinct.append(id)
      }
      return distinct
    }
  }

  /// For each instruction, the later instructions that must run after it,
  /// in order, each once, given each one's ``distinctReads(_:valueCount:)``.
  /// Writers and readers are tracked in arrays by value (of `valueCount`
  /// values), not dictionaries.
  static func dependencies(_ instructions: [Instruction], reads: [[ValueID]], valueCount: Int) -> [[Int]] {
    var successors = Array(repeating: [Int](), count: instructions.count)
    var lastWriter = Array(repeating: -1, count: valueCount)
    var readersSinceWrite = Array(repeating: [Int](), count: valueCount)
    for index in instructions.indices {
      for id in reads[index] {
        if lastWriter[id] >= 0 { successors[lastWriter[id]].append(index) }
        readersSinceWrite[id].append(index)
      }
      for id in instructions[index].outputs + instructions[index].inPlaceTargets {
        if lastWriter[id] >= 0 { successors[lastWriter[id]].append(index) }
        for reader in readersSinceWrite[id] where reader != index { successors[reader].append(index) }
        lastWriter[id] = index
        readersSinceWrite[id] = []
      }
    }
    // Sorted, repeats dropped (a set per instruction did this before).
    return successors.map { list in
      var distinct: [Int] = []
      for next in list.sorted() where distinct.last != next { distinct.append(next) }
      return distinct
    }
  }

  /// The most bytes of temporaries live at once when `program` runs in
  /// order: a temporary is live from the instruction writing it to its last
  /// reader, a returned one to the end.
  static func peakLiveBytes(_ program: Program) -> Int {
    let uses = ProgramUses(program)
    var live = 0
    var peak = 0
    for (index, instruction) in program.instructions.enumerated() {
      for id in instruction.outputs where program.values[id].role == .temporary { live += program.byteCount(of: id) }
      peak = max(peak, live)
      for id in Set(Array(instruction.reads) + instruction.outputs)
      where program.values[id].role == .temporary && !uses.isOutput[id] && (uses.readers[id].last ?? index) == index {
        live -= program.byteCount(of: id)
      }
    }
    return peak
  }
}
