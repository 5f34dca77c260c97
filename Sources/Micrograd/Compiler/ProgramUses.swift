/// Who reads each value of a ``Program``: the instructions that take it as an
/// input, whether the caller gets it back, and which buffers are overwritten.
///
/// A snapshot: passes that rewrite the program build a new one afterwards.
/// An `assign target, source` reads `source` and writes `target`; the target
/// is not counted as a read.
struct ProgramUses {
  /// For each value, the indices of the instructions reading it, ascending,
  /// each instruction once (`mul %3, %3` reads `%3` once).
  private(set) var readers: [[Int]]
  /// For each value, the index of the instruction writing it; nil for
  /// inputs, parameters, state, constants, captured and unproduced values.
  private(set) var producer: [Int?]
  /// For each value, whether ``Program/outputs`` returns it.
  private(set) var isOutput: [Bool]
  /// For each value overwritten by an `assign`, the index of the first one.
  private(set) var firstAssign: [ValueID: Int]

  /// Collects the uses of every value of `program`.
  init(_ program: Program) {
    readers = Array(repeating: [], count: program.values.count)
    producer = Array(repeating: nil, count: program.values.count)
    isOutput = Array(repeating: false, count: program.values.count)
    firstAssign = [:]
    // Fields read in place: copying each instruction cost more than the rest.
    for index in program.instructions.indices {
      for id in program.instructions[index].reads where readers[id].last != index { readers[id].append(index) }
      for id in program.instructions[index].outputs { producer[id] = index }
      for target in program.instructions[index].inPlaceTargets where firstAssign[target] == nil {
        firstAssign[target] = index
      }
    }
    for id in program.outputs { isOutput[id] = true }
  }

  /// How many instructions read `id`, plus one if it is returned.
  func useCount(of id: ValueID) -> Int {
    readers[id].count + (isOutput[id] ? 1 : 0)
  }

  /// Whether anything reads `id` or returns it.
  func isUsed(_ id: ValueID) -> Bool { useCount(of: id) > 0 }

  /// Whether every use of `old` may read `new` instead.
  ///
  /// Always, unless `new` is a buffer an `assign` overwrites: then every
  /// read of `old` must come before that assign (an output is read after
  /// the whole program, so it never qualifies), or it would see the
  /// updated value instead of the one `old` held.
  func canReplace(_ old: ValueID, with new: ValueID) -> Bool {
    guard let assign = firstAssign[new] else { return true }
    return !isOutput[old] && readers[old].allSatisfy { $0 < assign }
  }
}

extension Instruction {
  /// The values this instruction reads: its inputs, except the target of an
  /// `assign` (written, not read).
  var reads: ArraySlice<ValueID> {
    operation == .assign ? inputs.dropFirst() : inputs[...]
  }

  /// The buffers the instruction overwrites in place: an `assign`'s target,
  /// an optimizer step's parameter and state. Such an instruction has no
  /// outputs and is kept for its effect; its targets are never rewired to
  /// another value, and it runs after every earlier read of them.
  var inPlaceTargets: [ValueID] {
    switch operation {
    case .assign: [inputs[0]]
    case .optimizerStep: [inputs[0]] + inputs[3...]
    case .sgdProduct: [inputs[0], inputs[4]]
    default: []
    }
  }

  /// Whether input `position` is overwritten in place (see ``inPlaceTargets``).
  func isInPlaceTarget(_ position: Int) -> Bool {
    switch operation {
    case .assign: position == 0
    case .optimizerStep: position == 0 || position >= 3
    case .sgdProduct: position == 0 || position == 4
    default: false
    }
  }
}

extension Program {
  /// The bytes of value `id` (float32 elements).
  func byteCount(of id: ValueID) -> Int {
    values[id].shape.count * MemoryLayout<Float>.size
  }
}

extension Instruction.Section {
  /// The section's place in a training step: forward 0, backward 1, update 2.
  var rank: Int { Instruction.Section.allCases.firstIndex(of: self)! }
}
