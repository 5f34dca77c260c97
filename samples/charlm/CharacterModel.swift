import Micrograd

/// makemore's MLP (Bengio et al. 2003): the last `context` characters, each
/// looked up in an embedding table, joined into one vector, through one
/// tanh hidden layer to a score for every character of the vocabulary.
final class CharacterModel: Module {
  let embedding: Embedding
  let hidden: Linear
  let output: Linear
  let context: Int

  init(vocabulary: Int, context: Int, embedding: Int, hidden: Int, generator: inout RandomGenerator) {
    self.context = context
    self.embedding = Embedding(vocabulary, embedding, generator: &generator)
    self.hidden = Linear(context * embedding, hidden, generator: &generator)
    self.output = Linear(hidden, vocabulary, generator: &generator)
  }

  /// Scores `[B, V]` for contexts `[B, context]` of character indices.
  override func forward(_ contexts: Tensor) -> Tensor {
    let vectors = embedding(contexts).reshape([contexts.shape[0], context * embedding.dimension])
    return output(tanh(hidden(vectors)))
  }

  /// The mean cross-entropy of the next character over a batch.
  func loss(_ contexts: Tensor, _ targets: Tensor) -> Tensor {
    crossEntropy(self(contexts), targets)
  }
}
