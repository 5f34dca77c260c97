/// The data flow the fusion passes read: which instruction makes each value
/// and which instructions read it.
///
/// (Kept apart from the general use lists other passes share, so that the
/// fusion passes can be read and changed on their own.)
struct FusionUses {
  /// The instruction making each value (indexed by ``ValueID``); nil for
  /// inputs, parameters, constants and values no instruction makes.
  var producer: [Int?]
  /// Whether each value is returned to the caller.
  var isOutput: [Bool]
  /// The readers of value `v` are `readers[readerStart[v]..<readerStart[v + 1]]`:
  /// one flat list, not an array per value (most values have one reader).
  private var readerStart: [Int]
  private var readers: [Int]

  init(_ program: Program) {
    let count = program.values.count
    producer = Array(repeating: nil, count: count)
    isOutput = Array(repeating: false, count: count)
    // Count each value's readers (an instruction reading it twice once) into the slot after its
    // own, then sum the counts up into where each value's readers start.
    readerStart = Array(repeating: 0, count: count + 1)
    var lastReader = Array(repeating: -1, count: count)
    for i in program.instructions.indices {
      for value in program.instructions[i].outputs { producer[value] = i }
      for value in program.instructions[i].inputs where lastReader[value] != i {
        lastReader[value] = i
        readerStart[value + 1] += 1
      }
    }
    for value in 0..<count { readerStart[value + 1] += readerStart[value] }
    readers = Array(repeating: 0, count: readerStart[count])
    var next = readerStart
    for i in program.instructions.indices {
      for value in program.instructions[i].inputs
      where next[value] == readerStart[value] || readers[next[value] - 1] != i {
        readers[next[value]] = i
        next[value] += 1
      }
    }
    for value in program.outputs { isOutput[value] = true }
  }

  /// The instructions reading `value`, in program order, each once.
  func users(of value: ValueID) -> ArraySlice<Int> {
    readers[readerStart[value]..<readerStart[value + 1]]
  }
}

extension Program {
  /// `%12 (matmul)`: an instruction named by its first result, for notes.
  func noteLabel(_ instruction: Instruction) -> String {
    guard let result = instruction.outputs.first else { return instruction.operation.name }
    return "%\(result) (\(instruction.operation.name))"
  }

  /// The notes of a new instruction made of `members` (in order): what it
  /// fused, where it came from when that is several places (spelled when
  /// read, see ``InstructionNote``), then the members' own notes, less those
  /// about values now made inside it.
  func fusionNotes(_ summary: String, members: [Instruction]) -> [InstructionNote] {
    Program.fusionNotes(summary, members: members.indices, of: members)
  }

  /// The same for the members at positions `members` of `instructions`,
  /// read where they are; `added` holds more notes for some of them (by
  /// position), counted as their own after those they have.
  static func fusionNotes(
    _ summary: String, members: some Collection<Int>, of instructions: [Instruction], added: [Int: [String]] = [:]
  ) -> [InstructionNote] {
    var notes: [InstructionNote] = [.text(summary), .origins(members.map { instructions[$0].location })]
    // The values made inside, gathered only when some member has a note to filter.
    var inside: Set<ValueID>?
    func keep(_ text: String) {
      if text.hasPrefix("fused ") || text.hasPrefix("from ") { return }
      if inside == nil { inside = Set(members.flatMap { instructions[$0].outputs }) }
      if let value = Program.notFusedValue(text), inside!.contains(value) { return }
      notes.append(.text(text))
    }
    for m in members {
      for note in instructions[m].noteList { if case .text(let text) = note { keep(text) } }
      for text in added[m] ?? [] { keep(text) }
    }
    return notes
  }

  /// The value a `not fused with %9: …` note is about, or nil for others.
  static func notFusedValue(_ note: String) -> ValueID? {
    let start = "not fused with %"
    guard note.hasPrefix(start) else { return nil }
    return ValueID(note.dropFirst(start.count).prefix { $0 != ":" })
  }

  /// A note on an instruction saying why the producer of its input `value`
  /// was not fused into it: `not fused with %9: producer is matmul`.
  static func notFused(_ value: ValueID, _ reason: String) -> String { "not fused with %\(value): \(reason)" }
}
