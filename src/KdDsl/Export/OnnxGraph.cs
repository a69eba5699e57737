using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Export;

/// <summary>
/// A module that describes its own forward pass as ONNX nodes, for <see cref="OnnxExport"/>. The library's models implement
/// it; implement it on your own model (calling <see cref="OnnxGraph.Module"/> for its children) to make it exportable.
/// The nodes must compute what <c>forward</c> computes in eval mode.
/// </summary>
public interface IOnnxExportable
{
    /// <summary>Adds this module's nodes to <paramref name="graph"/>, reading the value named <paramref name="input"/>; returns the output's name.</summary>
    string ExportOnnx(OnnxGraph graph, string input);
}

/// <summary>
/// The ONNX graph being built by <see cref="OnnxExport"/> (opset <see cref="OnnxExport.Opset"/>): nodes, weights
/// (initializers) and the module path being exported. Values are referred to by name; every method returns the name of the
/// value it adds.
/// </summary>
public sealed class OnnxGraph
{
    private readonly GraphProto graph;
    private readonly Stack<(nn.Module Module, string Path)> modules = new();
    private int counter;

    internal OnnxGraph(GraphProto graph, nn.Module root)
    {
        this.graph = graph;
        modules.Push((root, ""));
    }

    /// <summary>The dotted path of the module being exported ("" for the model itself), as <c>named_modules()</c> names it.</summary>
    public string Path => modules.Peek().Path;

    /// <summary>
    /// Exports <paramref name="module"/> (a child of the module being exported, at any depth) on <paramref name="input"/>: through
    /// its <see cref="IOnnxExportable"/> implementation, as a supported layer (Linear, Conv2d, BatchNorm1d/2d, ReLU, GELU,
    /// MaxPool2d, AvgPool2d, AdaptiveAvgPool2d to 1x1, Flatten, LayerNorm, Embedding, Dropout, Identity), or as a
    /// <c>Sequential</c> of such; anything else is a <see cref="NotSupportedException"/> naming its path and type.
    /// </summary>
    public string Module(nn.Module module, string input)
    {
        ArgumentNullException.ThrowIfNull(module);
        var (parent, parentPath) = modules.Peek();
        string path = ReferenceEquals(module, parent) ? parentPath : Join(parentPath, RelativeName(parent, module));
        modules.Push((module, path));
        try
        {
            if (module is IOnnxExportable exportable)
            {
                RequireOwnForward(module);
                return exportable.ExportOnnx(this, input);
            }
            if (module is Sequential sequential)
            {
                string value = input;
                foreach (var child in sequential.children()) value = Module(child, value);
                return value;
            }
            return OnnxLayers.Export(this, module, input);
        }
        finally
        {
            modules.Pop();
        }
    }

    /// <summary>Adds a node of operator <paramref name="opType"/> (ONNX's default domain) with one output.</summary>
    /// <param name="opType">The ONNX operator, e.g. "Relu".</param>
    /// <param name="inputs">The input values' names ("" for an omitted optional input).</param>
    /// <param name="attributes">Attributes: long, double, string, long[] or double[] values.</param>
    public string Node(string opType, IReadOnlyList<string> inputs, IReadOnlyDictionary<string, object>? attributes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        string output = Fresh(opType);
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        if (attributes is not null)
            foreach (var (name, value) in attributes) node.Attribute.Add(Attribute(name, value));
        graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds the value of <paramref name="tensor"/> (float32, float64 as float32, int64 or bool) as a weight of the graph.</summary>
    public string Initializer(Tensor tensor, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var scope = NewDisposeScope();
        var value = tensor.detach().cpu().contiguous();
        var proto = new TensorProto { Name = name is null ? Fresh("weight") : Unique(name) };
        proto.Dims.AddRange(value.shape);
        switch (value.dtype)
        {
            case ScalarType.Float32:
            case ScalarType.Float64:
            case ScalarType.Float16:
            case ScalarType.BFloat16:
                proto.DataType = (int)TensorProto.Types.DataType.Float;
                proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(value.to_type(ScalarType.Float32).data<float>().ToArray().AsSpan()));
                break;
            case ScalarType.Int64:
                proto.DataType = (int)TensorProto.Types.DataType.Int64;
                proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(value.data<long>().ToArray().AsSpan()));
                break;
            case ScalarType.Bool:
                proto.DataType = (int)TensorProto.Types.DataType.Bool;
                proto.RawData = ByteString.CopyFrom(value.data<bool>().ToArray().Select(b => b ? (byte)1 : (byte)0).ToArray());
                break;
            default:
                throw new NotSupportedException($"Cannot store a {value.dtype} tensor in the ONNX graph (module '{Describe(Path)}').");
        }
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>A float32 constant of shape <paramref name="shape"/> (a scalar when empty).</summary>
    public string Constant(float[] values, params long[] shape)
    {
        using var t = tensor(values, shape.Length == 0 ? Array.Empty<long>() : shape);
        return Initializer(t, Fresh("const"));
    }

    /// <summary>An int64 constant vector (shapes, axes, indices).</summary>
    public string Constant(params long[] values)
    {
        using var t = tensor(values, new long[] { values.Length });
        return Initializer(t, Fresh("const"));
    }

    /// <summary><c>input W^T + b</c> on the last dimension (a <c>Linear</c>'s forward), for inputs of any rank.</summary>
    public string Linear(string input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var transposed = weight.detach().t();
        string product = Node("MatMul", [input, Initializer(transposed, Path + ".weight")]);
        return bias is null ? product : Node("Add", [product, Initializer(bias, Path + ".bias")]);
    }

    /// <summary>Element-wise <c>a + b</c> (with broadcasting).</summary>
    public string Add(string a, string b) => Node("Add", [a, b]);

    /// <summary><c>max(x, 0)</c>.</summary>
    public string Relu(string input) => Node("Relu", [input]);

    /// <summary>The mean over the spatial dimensions of [N, C, H, W]: [N, C] (global average pooling).</summary>
    public string GlobalAveragePool(string input) =>
        Node("ReduceMean", [input], new Dictionary<string, object> { ["axes"] = new long[] { 2, 3 }, ["keepdims"] = 0L });

    internal void Input(string name, TensorProto.Types.DataType type, IEnumerable<long> sampleShape) => graph.Input.Add(Value(name, type, sampleShape));

    internal void Output(string value, string name)
    {
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = name, Input = { value }, Output = { name } });
        graph.Output.Add(Value(name, TensorProto.Types.DataType.Float, null));
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, IEnumerable<long>? sampleShape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (sampleShape is not null)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
            foreach (long d in sampleShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            tensorType.Shape = shape;
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>"'path' (Type)" for messages; the model itself is "the model".</summary>
    internal static string Describe(string path) => path.Length == 0 ? "the model" : path;

    private static AttributeProto Attribute(string name, object value)
    {
        var attribute = new AttributeProto { Name = name };
        switch (value)
        {
            case long l: attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = l; break;
            case int i: attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = i; break;
            case double d: attribute.Type = AttributeProto.Types.AttributeType.Float; attribute.F = (float)d; break;
            case float f: attribute.Type = AttributeProto.Types.AttributeType.Float; attribute.F = f; break;
            case string s: attribute.Type = AttributeProto.Types.AttributeType.String; attribute.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: attribute.Type = AttributeProto.Types.AttributeType.Ints; attribute.Ints.AddRange(ls); break;
            case double[] ds: attribute.Type = AttributeProto.Types.AttributeType.Floats; attribute.Floats.AddRange(ds.Select(x => (float)x)); break;
            default: throw new ArgumentException($"Attribute '{name}': {value?.GetType().Name ?? "null"} is not an ONNX attribute value.", nameof(value));
        }
        return attribute;
    }

    private string Fresh(string hint) => Unique((Path.Length == 0 ? "" : Path + "/") + hint);

    private string Unique(string name) => name + "_" + (counter++).ToString(CultureInfo.InvariantCulture);

    private static string Join(string parent, string child) => parent.Length == 0 ? child : parent + "." + child;

    private string RelativeName(nn.Module parent, nn.Module module)
    {
        foreach (var (name, candidate) in parent.named_modules())
            if (ReferenceEquals(candidate, module)) return name;
        throw new ArgumentException(
            $"{module.GetType().Name} is not a registered submodule of '{Describe(Path)}' ({parent.GetType().Name}); export only registered children.", nameof(module));
    }

    private void RequireOwnForward(nn.Module module)
    {
        // A subclass that overrides forward but inherits ExportOnnx would be exported as its base class computes: refuse it.
        var type = module.GetType();
        var forward = type.GetMethod("forward", [typeof(Tensor)]);
        var map = type.GetInterfaceMap(typeof(IOnnxExportable));
        var export = map.TargetMethods[0];
        if (forward is not null && export.DeclaringType is not null && forward.DeclaringType != export.DeclaringType
            && forward.DeclaringType!.IsSubclassOf(export.DeclaringType))
            throw new NotSupportedException(
                $"Cannot export '{Describe(Path)}' ({type.FullName}) to ONNX: it overrides forward, but its ONNX graph comes from " +
                $"{export.DeclaringType.FullName}; implement {nameof(IOnnxExportable)} on {type.Name} as well.");
    }
}
