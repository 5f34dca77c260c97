import Foundation
import Micrograd
import MicrogradViz

/// Writes a compiled step's program beside its picture into `directory`:
/// `<name>.mgir` (the IR text, see docs/IR.md) and `<name>.svg` (the program
/// drawn by MicrogradViz), each atomically. Returns the two paths.
@discardableResult
public func writeProgramFiles(_ program: Program, name: String = "step", to directory: String) throws -> [String] {
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  let text = directory + "/" + name + ".mgir"
  let picture = directory + "/" + name + ".svg"
  try writeAtomically(Data(program.text().utf8), to: text)
  try writeSVG(program, to: picture)
  return [text, picture]
}

/// Prints `message` to standard error and exits with status 1.
public func fatal(_ message: String) -> Never {
  FileHandle.standardError.write(Data((message + "\n").utf8))
  exit(1)
}
