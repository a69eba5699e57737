using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Export;

/// <summary>The ONNX nodes of TorchSharp's built-in layers (eval mode), for <see cref="OnnxGraph.Module"/>.</summary>
internal static class OnnxLayers
{
    public const string Supported =
        "Linear, Conv2d (zero padding), BatchNorm1d/2d, ReLU, GELU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d to 1x1, Flatten, " +
        "LayerNorm, Embedding, Dropout, Identity, Sequential of these, and modules implementing KdDsl.Export.IOnnxExportable " +
        "(the KdDsl.Models models)";

    public static string Export(OnnxGraph g, nn.Module module, string x)
    {
        switch (module)
        {
            case Linear linear:
                return g.Linear(x, linear.weight!, linear.bias);
            case Conv2d conv:
                return Conv(g, conv, x);
            case BatchNorm1d or BatchNorm2d:
                return BatchNorm(g, (NormBase)module, x);
            case ReLU:
                return g.Relu(x);
            case GELU gelu:
                return Gelu(g, x, gelu.approximate == GELU.Approximate.tanh);
            case MaxPool2d pool:
                if (pool.dilation is not null && pool.dilation.Any(d => d != 1)) throw Unsupported(g, module, "dilation other than 1");
                return g.Node("MaxPool", [x], PoolAttributes(pool.kernel_size, pool.stride, pool.padding, pool.ceil_mode));
            case AvgPool2d pool:
                if (pool.divisor_override is not null) throw Unsupported(g, module, "divisor_override");
                var attributes = PoolAttributes(pool.kernel_size, pool.stride, pool.padding, pool.ceil_mode);
                attributes["count_include_pad"] = pool.count_include_pad ? 1L : 0L;
                return g.Node("AveragePool", [x], attributes);
            case AdaptiveAvgPool2d adaptive:
                if (adaptive.output_size is null || adaptive.output_size.Any(s => s != 1)) throw Unsupported(g, module, "an output size other than 1x1");
                return g.Node("GlobalAveragePool", [x]);
            case Flatten flatten:
                return Flatten(g, flatten, x);
            case LayerNorm norm:
                return LayerNorm(g, norm, x);
            case Embedding embedding:
                return g.Node("Gather", [g.Initializer(embedding.weight!, g.Path + ".weight"), g.Node("Cast", [x], To(TensorProtoType.Int64))]);
            case Dropout or Dropout1d or Dropout2d or Identity:
                return x; // eval mode
            default:
                throw new NotSupportedException(
                    $"Cannot export '{OnnxGraph.Describe(g.Path)}' ({module.GetType().FullName}) to ONNX. Supported: {Supported}.");
        }
    }

    private static NotSupportedException Unsupported(OnnxGraph g, nn.Module module, string what) =>
        new($"Cannot export '{OnnxGraph.Describe(g.Path)}' ({module.GetType().FullName}) to ONNX: {what} is not supported.");

    private static string Conv(OnnxGraph g, Conv2d conv, string x)
    {
        if (conv.padding_mode != PaddingModes.Zeros) throw Unsupported(g, conv, $"padding mode {conv.padding_mode}");
        if (conv.transposed) throw Unsupported(g, conv, "a transposed convolution");
        var attributes = new Dictionary<string, object>
        {
            ["kernel_shape"] = conv.kernel_size,
            ["strides"] = conv.stride,
            ["dilations"] = conv.dilation,
            ["group"] = conv.groups,
        };
        if (conv.padding_type == Padding.Same) attributes["auto_pad"] = "SAME_UPPER";
        else
        {
            var padding = conv.padding ?? new long[conv.kernel_size.Length];
            attributes["pads"] = padding.Concat(padding).ToArray();
        }
        var inputs = new List<string> { x, g.Initializer(conv.weight!, g.Path + ".weight") };
        if (conv.bias is not null) inputs.Add(g.Initializer(conv.bias, g.Path + ".bias"));
        return g.Node("Conv", inputs, attributes);
    }

    private static string BatchNorm(OnnxGraph g, NormBase norm, string x)
    {
        if (norm.running_mean is null || norm.running_var is null) throw Unsupported(g, norm, "BatchNorm without running statistics");
        using var ones = torch.ones(norm.num_features);
        using var zeros = torch.zeros(norm.num_features);
        return g.Node("BatchNormalization",
            [x, g.Initializer(norm.weight ?? ones, g.Path + ".weight"), g.Initializer(norm.bias ?? zeros, g.Path + ".bias"),
             g.Initializer(norm.running_mean, g.Path + ".running_mean"), g.Initializer(norm.running_var, g.Path + ".running_var")],
            new Dictionary<string, object> { ["epsilon"] = norm.eps });
    }

    /// <summary>GELU from primitives (ONNX's Gelu operator needs opset 20): erf form, or the tanh approximation.</summary>
    public static string Gelu(OnnxGraph g, string x, bool tanhApproximation)
    {
        string inner;
        if (tanhApproximation)
        {
            // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            var cube = g.Node("Mul", [g.Node("Mul", [x, x]), x]);
            var sum = g.Add(x, g.Node("Mul", [cube, g.Constant([0.044715f])]));
            inner = g.Node("Tanh", [g.Node("Mul", [sum, g.Constant([(float)Math.Sqrt(2 / Math.PI)])])]);
        }
        else
        {
            inner = g.Node("Erf", [g.Node("Div", [x, g.Constant([(float)Math.Sqrt(2)])])]);
        }
        var onePlus = g.Add(inner, g.Constant([1f]));
        return g.Node("Mul", [g.Node("Mul", [x, onePlus]), g.Constant([0.5f])]);
    }

    private static string Flatten(OnnxGraph g, Flatten flatten, string x)
    {
        if (flatten.end_dim != -1) throw Unsupported(g, flatten, "end_dim other than -1");
        if (flatten.start_dim < 0) throw Unsupported(g, flatten, "a negative start_dim");
        return g.Node("Flatten", [x], new Dictionary<string, object> { ["axis"] = flatten.start_dim });
    }

    private static string LayerNorm(OnnxGraph g, LayerNorm norm, string x)
    {
        using var ones = torch.ones(norm.normalized_shape);
        using var zeros = torch.zeros(norm.normalized_shape);
        return g.Node("LayerNormalization",
            [x, g.Initializer(norm.weight ?? ones, g.Path + ".weight"), g.Initializer(norm.bias ?? zeros, g.Path + ".bias")],
            new Dictionary<string, object> { ["axis"] = (long)-norm.normalized_shape.Length, ["epsilon"] = norm.eps });
    }

    private static Dictionary<string, object> PoolAttributes(long[] kernel, long[]? stride, long[]? padding, bool ceilMode)
    {
        var pads = padding ?? new long[kernel.Length];
        return new Dictionary<string, object>
        {
            ["kernel_shape"] = kernel,
            ["strides"] = stride is { Length: > 0 } ? stride : kernel,
            ["pads"] = pads.Concat(pads).ToArray(),
            ["ceil_mode"] = ceilMode ? 1L : 0L,
        };
    }

    /// <summary>The <c>to</c> attribute of a Cast.</summary>
    public static Dictionary<string, object> To(TensorProtoType type) => new() { ["to"] = (long)type };
}

/// <summary>The ONNX element types the exporter uses (values of ONNX's TensorProto.DataType).</summary>
internal enum TensorProtoType
{
    Float = 1,
    Int64 = 7,
    Bool = 9,
}
