using System;
using System.Collections.Generic;
using KdDsl.Data;
using KdDsl.Export;
using KdDsl.Matching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Models;

/// <summary>
/// A small transformer encoder for text classification, built for intermediate-layer matching: token and position
/// embeddings ("embedding"), <c>layers</c> pre-LayerNorm blocks (multi-head self-attention and a ReLU feed-forward, each
/// residual; "blocks.0", ...), and a classifier on the mean of the non-padding tokens' last states. Inputs are float32
/// [N, L] token ids (0 = padding), as <c>KdDsl.Data.ImdbReviews.TokenIds</c> produces; they are converted to int64 here.
/// Its dense layers are <see cref="Dense"/> modules, not <c>Linear</c>, so the run's input-width check (which reads the
/// first <c>Linear</c>) does not mistake a hidden layer for the input layer.
/// </summary>
public class TransformerEncoderClassifier : nn.Module<Tensor, Tensor>, ILayeredModule, IOnnxExportable
{
    // Protected, not private: the generator reads a referenced assembly's public and protected members only, and these
    // fields' names are the layer paths ("embedding", "blocks.0", ...).

    /// <summary>The token embedding (the position embedding is added to it: the embedding state).</summary>
    protected readonly Embedding embedding;

    /// <summary>The learned position embeddings [MaxLength, Width].</summary>
    protected readonly Parameter positions;

    /// <summary>The encoder blocks.</summary>
    [LayerStack]
    protected readonly ModuleList<TransformerBlock> blocks;

    /// <summary>The normalisation before pooling.</summary>
    protected readonly LayerNorm headNorm;

    /// <summary>The classifier on the pooled state.</summary>
    protected readonly Dense head;

    /// <summary>An encoder of <paramref name="layers"/> blocks of width <paramref name="width"/>.</summary>
    public TransformerEncoderClassifier(int vocabularySize, int maxLength, int classCount, int layers, int width, int heads, int feedForward)
        : base(nameof(TransformerEncoderClassifier))
    {
        if (vocabularySize < 2 || maxLength < 1 || classCount < 1 || layers < 1 || width < 1 || heads < 1 || feedForward < 1)
            throw new ArgumentOutOfRangeException(nameof(layers), "every size must be >= 1 (the vocabulary >= 2)");
        if (width % heads != 0) throw new ArgumentException($"width {width} is not a multiple of heads {heads}", nameof(heads));
        HiddenWidth = width;
        MaxLength = maxLength;
        embedding = nn.Embedding(vocabularySize, width, padding_idx: 0);
        positions = new Parameter(randn(maxLength, width) * 0.02);
        var list = new TransformerBlock[layers];
        for (int i = 0; i < layers; i++) list[i] = new TransformerBlock(width, heads, feedForward);
        blocks = nn.ModuleList(list);
        headNorm = nn.LayerNorm(width);
        head = new Dense(width, classCount);
        RegisterComponents();
    }

    /// <summary>The longest input the position embeddings cover.</summary>
    public int MaxLength { get; }

    /// <inheritdoc />
    public int LayerCount => blocks.Count;

    /// <inheritdoc />
    public int HiddenWidth { get; }

    /// <summary>The real-token mask [N, L] of int64 token ids: true at a token, false at padding.</summary>
    private static Tensor RealTokens(Tensor ids) => ids.ne(ImdbReviews.PaddingId);

    /// <summary>
    /// The real tokens of <paramref name="input"/>, [N, L] bool: the mask the pooling averages over (and whose complement
    /// the attention ignores), for hidden-state matching and the angle analysis.
    /// </summary>
    public Tensor TokenMask(Tensor input) => RealTokens(input.to_type(ScalarType.Int64));

    /// <inheritdoc />
    public Tensor Embed(Tensor input)
    {
        var ids = input.to_type(ScalarType.Int64);
        var tokens = RealTokens(ids);
        lastInput.Tokens = tokens;
        lastInput.Padding = tokens.logical_not();
        long length = ids.shape[1];
        if (length > MaxLength) throw new ArgumentException($"inputs have {length} tokens; this encoder takes at most {MaxLength}", nameof(input));
        return embedding.call(ids) + positions.narrow(0, 0, length).unsqueeze(0);
    }

    // The blocks and the pooling need the masks, which the states do not carry: they read the last Embed's. (A holder, not
    // Tensor fields, so RegisterComponents does not take them for buffers.)
    private readonly MaskHolder lastInput = new();

    private sealed class MaskHolder
    {
        public Tensor? Tokens;
        public Tensor? Padding;
    }

    /// <inheritdoc />
    public Tensor Layer(int index, Tensor hidden) => blocks[index].Forward(hidden, lastInput.Padding);

    /// <inheritdoc />
    public Tensor Head(Tensor hidden)
    {
        var normed = headNorm.call(hidden);
        Tensor pooled;
        if (lastInput.Tokens is null)
        {
            pooled = normed.mean(new long[] { 1 });
        }
        else
        {
            var keep = lastInput.Tokens.unsqueeze(-1).to_type(normed.dtype);
            pooled = (normed * keep).sum(1) / keep.sum(1).clamp_min(1);
        }
        return head.call(pooled);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var hidden = Embed(input);
        for (int i = 0; i < blocks.Count; i++) hidden = blocks[i].Forward(hidden, lastInput.Padding);
        return Head(hidden);
    }

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input)
    {
        var ids = graph.Node("Cast", [input], new Dictionary<string, object> { ["to"] = 7L }); // int64
        var padding = graph.Node("Equal", [ids, graph.Constant(ImdbReviews.PaddingId)]);      // [N, L] bool
        var length = graph.Node("Shape", [ids], new Dictionary<string, object> { ["start"] = 1L, ["end"] = 2L });
        var usedPositions = graph.Node("Slice", [graph.Initializer(positions, "positions"), graph.Constant(0), length, graph.Constant(0)]);
        var hidden = graph.Add(graph.Module(embedding, ids), usedPositions);
        for (int i = 0; i < blocks.Count; i++) hidden = blocks[i].ExportOnnx(graph, hidden, padding);
        var normed = graph.Module(headNorm, hidden);
        var keep = graph.Node("Unsqueeze", [graph.Node("Cast", [graph.Node("Not", [padding])], new Dictionary<string, object> { ["to"] = 1L }), graph.Constant(-1)]);
        var axis1 = graph.Constant(1);
        var noKeep = new Dictionary<string, object> { ["keepdims"] = 0L };
        var sum = graph.Node("ReduceSum", [graph.Node("Mul", [normed, keep]), axis1], noKeep);
        var count = graph.Node("Max", [graph.Node("ReduceSum", [keep, axis1], noKeep), graph.Constant([1f])]);
        return graph.Module(head, graph.Node("Div", [sum, count]));
    }
}

/// <summary>One pre-LayerNorm encoder block: <c>h + Attention(LN(h))</c>, then <c>h + FF(LN(h))</c>.</summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly LayerNorm attentionNorm;
    private readonly Dense query;
    private readonly Dense key;
    private readonly Dense value;
    private readonly Dense output;
    private readonly LayerNorm feedForwardNorm;
    private readonly Dense up;
    private readonly Dense down;
    private readonly int heads;

    /// <summary>A block of width <paramref name="width"/> with <paramref name="heads"/> heads and a feed-forward of <paramref name="feedForward"/>.</summary>
    public TransformerBlock(int width, int heads, int feedForward) : base(nameof(TransformerBlock))
    {
        this.heads = heads;
        attentionNorm = nn.LayerNorm(width);
        query = new Dense(width, width);
        key = new Dense(width, width);
        value = new Dense(width, width);
        output = new Dense(width, width);
        feedForwardNorm = nn.LayerNorm(width);
        up = new Dense(width, feedForward);
        down = new Dense(feedForward, width);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Forward(input, null);

    /// <summary>The block on [N, L, W] states; <paramref name="padding"/> [N, L] (true at padding) masks attention to padding keys.</summary>
    public Tensor Forward(Tensor input, Tensor? padding)
    {
        long n = input.shape[0], length = input.shape[1], width = input.shape[2], d = width / heads;
        var x = attentionNorm.call(input);
        Tensor Split(Tensor t) => t.view(n, length, heads, d).transpose(1, 2); // [N, H, L, d]
        var q = Split(query.call(x));
        var k = Split(key.call(x));
        var v = Split(value.call(x));
        var scores = q.matmul(k.transpose(2, 3)) / Math.Sqrt(d); // [N, H, L, L]
        if (padding is not null)
            scores = scores.masked_fill(padding.view(n, 1, 1, length), -1e9);
        var attended = nn.functional.softmax(scores, -1).matmul(v).transpose(1, 2).reshape(n, length, width);
        var hidden = input + output.call(attended);
        return hidden + down.call(nn.functional.relu(up.call(feedForwardNorm.call(hidden))));
    }

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input) => ExportOnnx(graph, input, null);

    /// <summary>The ONNX nodes of <see cref="Forward"/>; <paramref name="padding"/> names a [N, L] bool value (true at padding) or is null.</summary>
    internal string ExportOnnx(OnnxGraph graph, string input, string? padding)
    {
        long width = query.OutputWidth, d = width / heads;
        var x = graph.Module(attentionNorm, input);
        var headShape = graph.Constant(0, 0, heads, d);
        string Heads(string t, long[] perm) =>
            graph.Node("Transpose", [graph.Node("Reshape", [t, headShape])], new Dictionary<string, object> { ["perm"] = perm });
        var q = Heads(graph.Module(query, x), [0, 2, 1, 3]);   // [N, H, L, d]
        var kT = Heads(graph.Module(key, x), [0, 2, 3, 1]);    // [N, H, d, L]
        var v = Heads(graph.Module(value, x), [0, 2, 1, 3]);
        var scores = graph.Node("Div", [graph.Node("MatMul", [q, kT]), graph.Constant([(float)Math.Sqrt(d)])]);
        if (padding is not null)
            scores = graph.Node("Where", [graph.Node("Unsqueeze", [padding, graph.Constant(1, 2)]), graph.Constant([-1e9f]), scores]);
        var probabilities = graph.Node("Softmax", [scores], new Dictionary<string, object> { ["axis"] = -1L });
        var attended = graph.Node("Transpose", [graph.Node("MatMul", [probabilities, v])], new Dictionary<string, object> { ["perm"] = new long[] { 0, 2, 1, 3 } });
        attended = graph.Node("Reshape", [attended, graph.Constant(0, 0, width)]);
        var hidden = graph.Add(input, graph.Module(output, attended));
        return graph.Add(hidden, graph.Module(down, graph.Relu(graph.Module(up, graph.Module(feedForwardNorm, hidden)))));
    }
}

/// <summary>A dense layer <c>x W^T + b</c>, initialised like <c>nn.Linear</c>, for models whose only <c>Linear</c> should be the input layer.</summary>
public sealed class Dense : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>A layer from <paramref name="inputs"/> to <paramref name="outputs"/> features.</summary>
    public Dense(int inputs, int outputs) : base(nameof(Dense))
    {
        double bound = 1 / Math.Sqrt(inputs);
        weight = new Parameter((rand(outputs, inputs) * 2 - 1) * bound);
        bias = new Parameter((rand(outputs) * 2 - 1) * bound);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);

    /// <summary>The number of output features.</summary>
    internal long OutputWidth => weight.shape[0];

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input) => graph.Linear(input, weight, bias);
}
