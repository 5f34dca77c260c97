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
/// ``peakLiveBytes(_:)`` measures what it tries to keep small.
struct Schedule: Pass {
  var name: String { "schedule" }

  func run(_ program: inout Program) {
    let instructions = program.instructions
    let successors = Self.dependencies(instructions)
    var waitingOn = Array(repeating: 0, count: instructions.count)
    for list in successors { for next in list { waitingOn[next] += 1 } }
    let isOutput = Set(program.outputs)
    var remainingReads = Array(repeating: 0, count: program.values.count)
    for instruction in instructions { for id in Set(instruction.reads) { remainingReads[id] += 1 } }

    /// Bytes freed minus bytes written if `instruction` ran now.
    func gain(_ instruction: Instruction) -> Int {
      var bytes = 0
      for id in Set(instruction.reads)
      where remainingReads[id] == 1 && program.values[id].role == .temporary && !isOutput.contains(id) {
        bytes += program.byteCount(of: id)
      }
      for id in instruction.outputs { bytes -= program.byteCount(of: id) }
      return bytes
    }

    var ready = instructions.indices.filter { waitingOn[$0] == 0 }
    var order: [Int] = []
    order.reserveCapacity(instructions.count)
    while !ready.isEmpty {
      // Earliest section, then largest gain, then earliest position: the smallest key.
      var best = 0
      var bestKey = (Int.max, Int.max, Int.max)
      for (k, index) in ready.enumerated() {
        let key = (instructions[index].section.rank, -gain(instructions[index]), index)
        if key < bestKey { (best, bestKey) = (k, key) }
      }
      let chosen = ready.remove(at: best)
      order.append(chosen)
      for id in Set(instructions[chosen].reads) { remainingReads[id] -= 1 }
      for next in successors[chosen] {
        waitingOn[next] -= 1
        if waitingOn[next] == 0 { ready.append(next) }
      }
    }
    precondition(order.count == instructions.count, "schedule: the program's dependencies form a cycle")
    program.instructions = order.map { instructions[$0] }
  }

  /// For each instruction, the later instructions that must run after it.
  static func dependencies(_ instructions: [Instruction]) -> [[Int]] {
    var successors = Array(repeating: Set<Int>(), count: instructions.count)
    var lastWriter: [ValueID: Int] = [:]
    var readersSinceWrite: [ValueID: [Int]] = [:]
    for (index, instruction) in instructions.enumerated() {
      for id in Set(instruction.reads) {
        if let writer = lastWriter[id] { successors[writer].insert(index) }
        readersSinceWrite[id, default: []].append(index)
      }
      for id in instruction.outputs + instruction.inPlaceTargets {
        if let writer = lastWriter[id] { successors[writer].insert(index) }
        for reader in readersSinceWrite[id, default: []] where reader != index { successors[reader].insert(index) }
        lastWriter[id] = index
        readersSinceWrite[id] = []
      }
    }
    return successors.map { $0.sorted() }
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
