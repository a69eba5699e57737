using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Data;
using KdDsl.Export;
using KdDsl.Models;
using Microsoft.ML.OnnxRuntime;
using DenseTensorF = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using DenseTensorL = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Export;

/// <summary>
/// Every library model and every supported layer, exported with <see cref="OnnxExport"/> and run in ONNX Runtime 1.32, gives
/// TorchSharp's eval-mode logits within 1e-4; a standardizer in the graph gives the logits of the standardised inputs; a
/// module the exporter does not know is refused with its path and type.
/// </summary>
public sealed class OnnxExportTests
{
    private const double Tolerance = 1e-4;

    /// <summary>Gives BatchNorm running statistics that are not 0 and 1: a few training-mode passes on random data.</summary>
    private static void WarmUp(nn.Module<Tensor, Tensor> model, Func<Tensor> batch)
    {
        model.train();
        using (no_grad())
            for (int i = 0; i < 3; i++)
            {
                using var x = batch();
                using var y = model.call(x);
            }
        model.eval();
    }

    internal static float[] RunOnnx(byte[] onnx, Tensor input, string inputName = "input")
    {
        using var session = new InferenceSession(onnx);
        var shape = input.shape.Select(d => (int)d).ToArray();
        NamedOnnxValue value = input.dtype == ScalarType.Int64
            ? NamedOnnxValue.CreateFromTensor(inputName, new DenseTensorL(input.contiguous().data<long>().ToArray(), shape))
            : NamedOnnxValue.CreateFromTensor(inputName, new DenseTensorF(input.contiguous().data<float>().ToArray(), shape));
        using var results = session.Run(new[] { value });
        return results.Single().AsTensor<float>().ToArray();
    }

    private static float[] Torch(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        model.eval();
        using var noGrad = no_grad();
        using var logits = model.call(input);
        return logits.data<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - (double)a)).Max();
        Assert.True(worst <= Tolerance, $"max |TorchSharp - ONNX Runtime| = {worst:E2} > {Tolerance:E0}");
    }

    private static void AssertSameLogits(nn.Module<Tensor, Tensor> model, Tensor input, OnnxExportOptions? options = null)
    {
        var onnx = OnnxExport.ToBytes(model, input.shape.Skip(1).ToArray(), options);
        AssertClose(Torch(model, input), RunOnnx(onnx, input));
    }

    [Fact]
    public void LayeredMlp_matches()
    {
        manual_seed(1);
        using var model = new LayeredMlp(12, 3, 2, 8);
        using var input = randn(5, 12);
        AssertSameLogits(model, input);
    }

    [Fact]
    public void SmallCnn_matches_with_ceil_mode_pooling_on_odd_sizes()
    {
        manual_seed(2);
        using var model = new SmallCnn(1, 3, 2, 4);
        WarmUp(model, () => randn(6, 1, 9, 9));
        using var input = randn(4, 1, 9, 9);
        AssertSameLogits(model, input);
    }

    [Fact]
    public void CifarResNet_matches_with_its_option_A_shortcuts()
    {
        manual_seed(3);
        using var model = new ResNet8(3, 4); // stages 16, 32, 64: two strided, channel-padded shortcuts
        WarmUp(model, () => randn(6, 3, 8, 8));
        using var input = randn(3, 3, 8, 8);
        AssertSameLogits(model, input);
    }

    [Fact]
    public void WideResNet_matches_with_its_convolution_shortcuts()
    {
        manual_seed(4);
        using var model = new WideResNet(1, 3, 10, 2);
        WarmUp(model, () => randn(6, 1, 8, 8));
        using var input = randn(2, 1, 8, 8);
        AssertSameLogits(model, input);
    }

    [Fact]
    public void TransformerEncoderClassifier_matches_with_padding_masked()
    {
        manual_seed(5);
        using var model = new TransformerEncoderClassifier(20, 8, 3, 2, 8, 2, 16);
        // Float token ids as ImdbReviews.TokenIds gives them; 0 is padding (one review is 2 tokens long, one has none padded).
        using var input = tensor(new float[]
        {
            3, 7, 1, 19, 4, 4, 2, 9,
            5, 6, 0, 0, 0, 0, 0, 0,
            11, 12, 13, 14, 0, 0, 0, 0,
            8, 0, 2, 0, 17, 0, 0, 0,
        }, 4, 8);
        AssertSameLogits(model, input);
        using var shorter = input.narrow(1, 0, 5).contiguous(); // a graph for 5 tokens uses the first 5 position embeddings
        AssertSameLogits(model, shorter);
    }

    [Fact]
    public void Every_supported_layer_matches()
    {
        manual_seed(6);
        using var model = nn.Sequential(
            nn.Conv2d(2, 4, kernel_size: 3, stride: 2, padding: 1),
            nn.BatchNorm2d(4),
            nn.GELU(),
            nn.MaxPool2d(kernel_size: 2, stride: 1),
            nn.ReLU(),
            nn.AvgPool2d(kernel_size: 2, stride: 1, padding: 1),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(4, 6),
            nn.BatchNorm1d(6),
            nn.Dropout(0.5),
            nn.LayerNorm(6),
            nn.Identity(),
            nn.Linear(6, 3));
        WarmUp(model, () => randn(8, 2, 10, 10));
        using var input = randn(3, 2, 10, 10);
        AssertSameLogits(model, input);
    }

    [Fact]
    public void Embedding_takes_int64_ids()
    {
        manual_seed(7);
        using var model = nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(20, 3));
        using var input = tensor(new long[] { 1, 2, 3, 4, 5, 9, 8, 7, 6, 0, 0, 0, 1, 1, 2 }, 3, 5);
        AssertSameLogits(model, input, new OnnxExportOptions { InputType = ScalarType.Int64 });
    }

    [Fact]
    public void A_standardizer_in_the_graph_takes_raw_features()
    {
        manual_seed(8);
        using var raw = randn(40, 6) * 3 + 10;
        using var train = new LabeledDataset("train", raw.clone(), zeros(40, dtype: ScalarType.Int64), 3);
        var standardizer = Standardizer.Fit(train);
        using var model = new LayeredMlp(6, 3, 1, 8);
        using var batch = raw.narrow(0, 0, 7).contiguous();
        var onnx = OnnxExport.ToBytes(model, [6], new OnnxExportOptions { Standardizer = standardizer });
        using var standardised = standardizer.Apply(batch);
        AssertClose(Torch(model, standardised), RunOnnx(onnx, batch));
    }

    [Fact]
    public void A_per_channel_standardizer_in_the_graph_takes_raw_images()
    {
        manual_seed(9);
        using var raw = rand(20, 2, 6, 6) * 255;
        using var train = new LabeledDataset("train", raw.clone(), zeros(20, dtype: ScalarType.Int64), 3);
        var standardizer = Standardizer.Fit(train);
        Assert.True(standardizer.PerChannel);
        using var model = new SmallCnn(2, 3, 1, 4);
        WarmUp(model, () => randn(6, 2, 6, 6));
        using var batch = raw.narrow(0, 0, 4).contiguous();
        var onnx = OnnxExport.ToBytes(model, [2, 6, 6], new OnnxExportOptions { Standardizer = standardizer });
        using var standardised = standardizer.Apply(batch);
        AssertClose(Torch(model, standardised), RunOnnx(onnx, batch));
    }

    private sealed class Unknown : nn.Module<Tensor, Tensor>
    {
        private readonly Linear layer = nn.Linear(4, 2);

        public Unknown() : base(nameof(Unknown)) => RegisterComponents();

        public override Tensor forward(Tensor input) => layer.call(input).tanh();
    }

    [Fact]
    public void A_module_it_cannot_export_is_named_with_its_path_and_type()
    {
        using var root = new Unknown();
        var error = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(root, [4]));
        Assert.Contains("Cannot export 'the model' (KdDsl.Tests.Export.OnnxExportTests+Unknown)", error.Message);
        Assert.Contains("IOnnxExportable", error.Message);

        using var nested = nn.Sequential(("features", nn.Sequential(("fc", nn.Linear(4, 4)), ("act", nn.Tanh()))), ("head", nn.Linear(4, 2)));
        error = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(nested, [4]));
        Assert.Contains("Cannot export 'features.act' (TorchSharp.Modules.Tanh)", error.Message);

        using var reflect = nn.Sequential(nn.Conv2d(1, 2, 3, padding: 1, padding_mode: PaddingModes.Reflect));
        error = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(reflect, [1, 5, 5]));
        Assert.Contains("'0' (TorchSharp.Modules.Conv2d)", error.Message);
        Assert.Contains("padding mode Reflect", error.Message);
    }

    private sealed class ResNet8WithDropout : CifarResNet
    {
        public ResNet8WithDropout() : base(1, 2, 8) { }

        public override Tensor forward(Tensor input) => base.forward(nn.functional.dropout(input, 0.1, training));
    }

    [Fact]
    public void A_subclass_that_overrides_forward_is_refused()
    {
        using var model = new ResNet8WithDropout();
        var error = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model, [1, 8, 8]));
        Assert.Contains("overrides forward", error.Message);
    }

    [Fact]
    public void The_file_is_written_atomically_and_has_a_dynamic_batch()
    {
        string folder = System.IO.Directory.CreateTempSubdirectory("kddsl-onnx-").FullName;
        try
        {
            manual_seed(10);
            using var model = new LayeredMlp(5, 2, 1, 4);
            string path = System.IO.Path.Combine(folder, "student.onnx");
            OnnxExport.Save(model, path, [5]);
            Assert.Equal(new[] { "student.onnx" }, System.IO.Directory.GetFiles(folder).Select(System.IO.Path.GetFileName));
            using var session = new InferenceSession(path);
            Assert.Equal(new[] { -1, 5 }, session.InputMetadata["input"].Dimensions);
            Assert.Equal("logits", session.OutputMetadata.Keys.Single());
            foreach (int n in new[] { 1, 9 })
            {
                using var input = randn(n, 5);
                AssertClose(Torch(model, input), RunOnnx(System.IO.File.ReadAllBytes(path), input));
            }
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }
}
