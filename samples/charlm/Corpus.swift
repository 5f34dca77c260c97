import Foundation
import Micrograd

/// The training text as character indices, split into training and
/// validation parts, with the vocabulary to turn indices back into text.
struct Corpus {
  /// Every distinct character of the text, sorted; a character's index is its position.
  let vocabulary: [Character]
  /// The first 90% of the text, as indices.
  let train: [Float]
  /// The last 10%, as indices.
  let validation: [Float]

  /// Reads and joins `files`; throws a one-line message for a file that cannot be read.
  init(files: [String]) throws(CorpusError) {
    var text = ""
    for path in files {
      guard let data = FileManager.default.contents(atPath: path) else {
        let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
        throw CorpusError(message: "cannot read \(path): \(reason)")
      }
      text += String(decoding: data, as: UTF8.self)
    }
    let characters = Array(text)
    vocabulary = Array(Set(characters)).sorted()
    let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($0.element, Float($0.offset)) })
    let indices = characters.map { index[$0]! }
    let split = indices.count * 9 / 10
    train = Array(indices[..<split])
    validation = Array(indices[split...])
  }

  /// The Swift files of this repository's `Sources`, sorted: the default text.
  static func repositorySources() -> [String] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Sources")
    let walker = FileManager.default.enumerator(atPath: root.path)
    var files: [String] = []
    while let path = walker?.nextObject() as? String {
      if path.hasSuffix(".swift") { files.append(root.appendingPathComponent(path).path) }
    }
    return files.sorted()
  }

  /// A minibatch from `part`: `count` windows of `context` characters at
  /// positions drawn from `generator`, and the character after each.
  static func batch(
    _ part: [Float], context: Int, count: Int, generator: inout RandomGenerator
  ) -> (contexts: Tensor, targets: Tensor) {
    let starts = (0..<count).map { _ in Int(generator.next() % UInt64(part.count - context)) }
    return windows(part, context: context, starts: starts)
  }

  /// The windows of `part` starting at `starts`, and the character after each.
  static func windows(_ part: [Float], context: Int, starts: [Int]) -> (contexts: Tensor, targets: Tensor) {
    var contexts: [Float] = []
    contexts.reserveCapacity(starts.count * context)
    for start in starts { contexts += part[start..<(start + context)] }
    let targets = starts.map { part[$0 + context] }
    return (Tensor(contexts, shape: [starts.count, context]), Tensor(targets))
  }
}

/// Why the text could not be read, in one line.
struct CorpusError: Error {
  let message: String
}
