/// A compiler note on an instruction as the compiler keeps it.
///
/// Most notes are text. The `from a.swift:3, b.swift:9` note of a fused
/// instruction is kept as its members' locations instead: those may still
/// be operator call stacks waiting to be resolved to lines (slow: it reads
/// debug info), and a compile should not pay for that. The note is spelled,
/// and the stacks resolved, only when someone reads ``Instruction/notes``
/// (printing a program, a test), with the same text it always had.
enum InstructionNote: Sendable {
  /// A note of plain text.
  case text(String)
  /// The locations of the instructions fused into this one, in order:
  /// spelled `from …` when they name two places or more, else nothing.
  case origins([SourceLocation])

  /// The notes as text.
  static func spelled(_ notes: [InstructionNote]) -> [String] {
    var spelled: [String] = []
    for note in notes {
      switch note {
      case .text(let text): spelled.append(text)
      case .origins(let locations): if let from = fromNote(locations) { spelled.append(from) }
      }
    }
    return spelled
  }

  /// `from a.swift:3, b.swift:9`: the distinct places, the first four named,
  /// or nil for fewer than two.
  static func fromNote(_ locations: [SourceLocation]) -> String? {
    var places: [SourceLocation] = []
    var seen: Set<SourceLocation> = []
    for location in locations where seen.insert(location).inserted { places.append(location) }
    guard places.count > 1 else { return nil }
    let more = places.count > 4 ? " and \(places.count - 4) more" : ""
    return "from " + places.prefix(4).map(\.description).joined(separator: ", ") + more
  }
}
