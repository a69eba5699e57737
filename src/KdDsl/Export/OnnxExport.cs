using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using KdDsl.Data;
using KdDsl.Training;
using Onnx;
using static TorchSharp.torch;

namespace KdDsl.Export;

/// <summary>Options of <see cref="OnnxExport.Save"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Standardisation to put in front of the graph as <c>Sub</c> and <c>Div</c> nodes, so the ONNX file takes the raw
    /// inputs: per feature for [N, D] inputs, per channel for [N, C, ...]. Null: the graph takes inputs as the model does.
    /// </summary>
    public Standardizer? Standardizer { get; init; }

    /// <summary>The graph input's name ("input").</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name ("logits").</summary>
    public string OutputName { get; init; } = "logits";

    /// <summary>The input's element type: <c>Float32</c> (default; also for the float token ids of <c>TransformerEncoderClassifier</c>) or <c>Int64</c>.</summary>
    public ScalarType InputType { get; init; } = ScalarType.Float32;
}

/// <summary>
/// Writes a model as an ONNX file (opset <see cref="Opset"/>, IR version 8) that ONNX Runtime and other ONNX tools run:
/// input [batch, ...sampleShape] (the batch dimension is dynamic, the rest fixed), output the logits [batch, K]. TorchSharp
/// has no ONNX exporter, so the graph is built from the module tree in eval mode: BatchNorm uses its running statistics and
/// Dropout is left out. Supported: the <c>KdDsl.Models</c> models (LayeredMlp, SmallCnn, CifarResNet and the ResNet-n
/// classes, WideResNet and the WRN classes, TransformerEncoderClassifier), Linear, Conv2d, BatchNorm1d/2d, ReLU, GELU,
/// MaxPool2d, AvgPool2d, AdaptiveAvgPool2d to 1x1, Flatten, LayerNorm, Embedding, Dropout, Identity and Sequential
/// containers of these, and any module implementing <see cref="IOnnxExportable"/>. Anything else stops the export with a
/// <see cref="NotSupportedException"/> naming the module's path and type.
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the graphs use (17: LayerNormalization is in it; GELU is built from Erf).</summary>
    public const int Opset = 17;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> (atomically) for inputs of per-sample shape
    /// <paramref name="sampleShape"/> (e.g. <c>[64]</c> for 64 features, <c>[1, 28, 28]</c> for images,
    /// <c>LabeledDataset.SampleShape</c>).
    /// </summary>
    public static void Save(nn.Module<Tensor, Tensor> model, string path, IReadOnlyList<long> sampleShape, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var proto = Build(model, sampleShape, options);
        AtomicFile.Write(path, temporary =>
        {
            using var stream = File.Create(temporary);
            proto.WriteTo(stream);
        });
    }

    /// <summary>The ONNX file's bytes, as <see cref="Save"/> writes them.</summary>
    public static byte[] ToBytes(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> sampleShape, OnnxExportOptions? options = null) =>
        Build(model, sampleShape, options).ToByteArray();

    private static ModelProto Build(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> sampleShape, OnnxExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        options ??= new OnnxExportOptions();
        if (sampleShape.Count == 0 || sampleShape.Any(d => d < 1))
            throw new ArgumentException($"The sample shape [{string.Join(", ", sampleShape)}] must have at least one dimension, each >= 1.", nameof(sampleShape));
        var inputType = options.InputType switch
        {
            ScalarType.Float32 => TensorProto.Types.DataType.Float,
            ScalarType.Int64 => TensorProto.Types.DataType.Int64,
            _ => throw new ArgumentException($"Input type {options.InputType} is not supported (Float32 or Int64).", nameof(options)),
        };

        var graphProto = new GraphProto { Name = model.GetType().Name };
        var graph = new OnnxGraph(graphProto, model);
        graph.Input(options.InputName, inputType, sampleShape);
        string x = options.InputName;
        if (options.Standardizer is { } standardizer)
        {
            if (inputType != TensorProto.Types.DataType.Float)
                throw new ArgumentException("A standardizer needs float inputs.", nameof(options));
            x = Standardize(graph, standardizer, x, sampleShape);
        }
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            string logits = graph.Module(model, x);
            graph.Output(logits, options.OutputName);
        }
        finally
        {
            if (wasTraining) model.train();
        }

        var proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "KdDsl",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graphProto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return proto;
    }

    private static string Standardize(OnnxGraph graph, Standardizer standardizer, string x, IReadOnlyList<long> sampleShape)
    {
        int count = standardizer.Mean.Length;
        long[] shape;
        if (standardizer.PerChannel)
        {
            if (sampleShape.Count < 2 || sampleShape[0] != count)
                throw new ArgumentException($"The standardizer has {count} channel(s); the sample shape [{string.Join(", ", sampleShape)}] does not start with {count}.");
            shape = [1, count, .. Enumerable.Repeat(1L, sampleShape.Count - 1)];
        }
        else
        {
            if (sampleShape.Count != 1 || sampleShape[0] != count)
                throw new ArgumentException($"The standardizer has {count} feature(s); the sample shape must be [{count}], not [{string.Join(", ", sampleShape)}].");
            shape = [1, count];
        }
        // The same float32 values Standardizer.Apply subtracts and divides by for float32 inputs.
        var mean = standardizer.Mean.Select(v => (float)v).ToArray();
        var std = standardizer.Std.Select(v => (float)v).ToArray();
        var centred = graph.Node("Sub", [x, graph.Constant(mean, shape)]);
        return graph.Node("Div", [centred, graph.Constant(std, shape)]);
    }
}
