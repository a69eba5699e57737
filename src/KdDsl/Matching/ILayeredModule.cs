using static TorchSharp.torch;

namespace KdDsl.Matching;

/// <summary>
/// A model whose forward pass can be run block by block, so the generated distillation loop captures the hidden states it
/// needs without hooks (TorchSharp hooks fire only through <c>call()</c>). Its <c>forward(x)</c> must equal
/// <c>Head(Layer(n-1, ... Layer(0, Embed(x))))</c>. The blocks live in a <c>ModuleList</c> field. States (the embedding output
/// and each block's output) are vectors [N, W], token sequences [N, L, W] or feature maps [N, C, H, W]; they may differ in width
/// (channels) and size from state to state: a run measures each state's shape on one sample before training, and matched pairs
/// whose widths differ get a connector.
/// </summary>
public interface ILayeredModule
{
    /// <summary>Number of blocks in the stack.</summary>
    int LayerCount { get; }

    /// <summary>Width of the last hidden state (channels of a feature map); checked at compile time when it is a constant.</summary>
    int HiddenWidth { get; }

    /// <summary>The embedding state (state 0) of a batch of inputs.</summary>
    Tensor Embed(Tensor input);

    /// <summary>Block <paramref name="index"/> (0-based) applied to the previous state.</summary>
    Tensor Layer(int index, Tensor hidden);

    /// <summary>The logits [N, K] from the last state.</summary>
    Tensor Head(Tensor hidden);

    /// <summary>
    /// Which positions of <paramref name="input"/> are real tokens: [N, L], bool (true at a real token) or 0/1 floats, for a
    /// model whose states are [N, L, W]; null (the default) when every position counts, e.g. for [N, W] states. Hidden-state
    /// matching and the angle analysis then average over the real tokens only, so padding is never matched.
    /// </summary>
    Tensor? TokenMask(Tensor input) => null;
}
