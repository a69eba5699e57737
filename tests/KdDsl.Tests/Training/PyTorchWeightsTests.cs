using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using KdDsl.Tests.EndToEnd;
using KdDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Training;

/// <summary>
/// Weights PyTorch wrote (torch.save state_dict and safetensors, by Fixtures/make_pytorch_fixtures.py with PyTorch 1.13) load
/// into the matching TorchSharp model and give the logits PyTorch computed; a file that does not fit is refused with every
/// missing, unexpected and mis-shaped key named; a declared [Teacher(Weights = ...)] is loaded, not trained.
/// </summary>
public sealed class PyTorchWeightsTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Training", "Fixtures", name);

    [Theory]
    [InlineData("tiny_teacher.pt")]
    [InlineData("tiny_teacher.safetensors")]
    public void Weights_written_by_PyTorch_give_PyTorchs_logits(string file)
    {
        using var model = new TinyTeacher(64, 10);
        PyTorchWeights.Load(model, Fixture(file), "TinyTeacher");
        model.eval();
        using var inputs = linspace(-1, 1, 5 * 64).reshape(5, 64);
        using var logits = model.call(inputs);
        var actual = logits.data<float>().ToArray();
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("tiny_teacher_logits.json")));
        var expected = json.RootElement.GetProperty("logits").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => v.GetDouble())).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    [Fact]
    public void A_file_that_does_not_fit_lists_every_wrong_key_and_loads_nothing()
    {
        using var model = new TinyTeacher(64, 10);
        using var before = model.state_dict()["layers.2.weight"].clone();
        var error = Assert.Throws<InvalidOperationException>(() => PyTorchWeights.Load(model, Fixture("wrong_teacher.pt"), "TinyTeacher"));
        Assert.Contains("3 problem(s)", error.Message);
        Assert.Contains("missing: layers.2.bias [10] (module 'layers.2')", error.Message);
        Assert.Contains("mis-shaped: layers.0.weight is [32, 64] in the file but [64, 64] in TinyTeacher (module 'layers.0')", error.Message);
        Assert.Contains("unexpected: head.weight [10, 64] (module 'head' is not in TinyTeacher)", error.Message);
        Assert.True(model.state_dict()["layers.2.weight"].equal(before).all().item<bool>()); // nothing was copied
    }

    [Fact]
    public void Missing_and_foreign_files_are_named()
    {
        using var model = new TinyTeacher(64, 10);
        var missing = Assert.Throws<FileNotFoundException>(() => PyTorchWeights.Load(model, Fixture("nope.pt"), "TinyTeacher"));
        Assert.Contains("nope.pt", missing.Message);
        var foreign = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(model, Fixture("tiny_teacher_logits.json"), "TinyTeacher"));
        Assert.Contains("could not be read as PyTorch weights", foreign.Message);
    }

    [Fact]
    public void A_declared_PyTorch_teacher_is_loaded_not_trained_and_measured()
    {
        Directory.SetCurrentDirectory(AppContext.BaseDirectory); // the declared path is relative to the working directory
        using var result = PyTorchTeacherKd.Run();
        Assert.True(result.TeacherLoadedFromCheckpoint);
        Assert.Null(result.TeacherTraining);
        Assert.Empty(result.TeacherEpochLosses);
        using var reference = new TinyTeacher(64, 10);
        PyTorchWeights.Load(reference, Fixture("tiny_teacher.safetensors"), "TinyTeacher");
        Assert.True(result.Teacher.parameters().Zip(reference.parameters()).All(p => p.First.cpu().equal(p.Second).all().item<bool>()));
        Assert.InRange(result.TeacherAccuracy, 0.0, 0.5); // an untrained (random) teacher, measured like any teacher
    }
}
