using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using KdDsl.Export;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Export;

/// <summary>
/// The student out to PyTorch: <see cref="ModelExport.SavePyTorch"/> and <see cref="ModelExport.SaveSafetensors"/> round-trip
/// through KdDsl's loader, and the files they write were loaded by PyTorch 1.13 (Fixtures/check_exported_student.py), whose
/// logits are committed beside them and compared here.
/// </summary>
public sealed class ModelExportTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Export", "Fixtures", name);

    private static float[] Logits(nn.Module<Tensor, Tensor> model)
    {
        model.eval();
        using var noGrad = no_grad();
        using var inputs = ExportedStudent.Inputs();
        using var logits = model.call(inputs);
        return logits.data<float>().ToArray();
    }

    [Theory]
    [InlineData("student.pt")]
    [InlineData("student.safetensors")]
    public void A_saved_student_loads_back_with_the_same_state_and_logits(string file)
    {
        string folder = Directory.CreateTempSubdirectory("kddsl-export-").FullName;
        try
        {
            using var student = new ExportedStudent();
            string path = Path.Combine(folder, "out", file);
            if (file.EndsWith(".pt", StringComparison.Ordinal)) ModelExport.SavePyTorch(student, path);
            else ModelExport.SaveSafetensors(student, path);
            Assert.Equal(new[] { file }, Directory.GetFiles(Path.Combine(folder, "out")).Select(Path.GetFileName)); // no temporary left

            using var loaded = new ExportedStudent();
            using (no_grad()) foreach (var p in loaded.parameters()) p.zero_();
            ModelExport.Load(loaded, path);
            var expected = student.state_dict();
            var actual = loaded.state_dict();
            Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
            foreach (var (name, tensor) in expected) Assert.True(tensor.equal(actual[name]).all().item<bool>(), name);
            Assert.Equal(Logits(student), Logits(loaded));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("student_from_kddsl.pt")]
    [InlineData("student_from_kddsl.safetensors")]
    public void PyTorch_loads_the_exported_student_and_computes_the_same_logits(string file)
    {
        // Regenerating the fixtures: KDDSL_WRITE_EXPORT_FIXTURES=<this Fixtures folder> dotnet test --filter ModelExportTests,
        // then /usr/bin/python3 <that folder>/check_exported_student.py (PyTorch 1.13) writes student_from_kddsl_logits.json.
        string? regenerate = Environment.GetEnvironmentVariable("KDDSL_WRITE_EXPORT_FIXTURES");
        using var student = new ExportedStudent();
        if (!string.IsNullOrEmpty(regenerate))
        {
            ModelExport.SavePyTorch(student, Path.Combine(regenerate, "student_from_kddsl.pt"));
            ModelExport.SaveSafetensors(student, Path.Combine(regenerate, "student_from_kddsl.safetensors"));
        }

        // The committed file is what SavePyTorch / SaveSafetensors write for this student today ...
        using var fromFile = new ExportedStudent();
        using (no_grad()) foreach (var p in fromFile.parameters()) p.zero_();
        ModelExport.Load(fromFile, Fixture(file));
        foreach (var (name, tensor) in student.state_dict()) Assert.True(tensor.equal(fromFile.state_dict()[name]).all().item<bool>(), name);

        // ... and PyTorch, having loaded it strictly into the same architecture, computed these logits.
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("student_from_kddsl_logits.json")));
        var key = file.EndsWith(".pt", StringComparison.Ordinal) ? "logits_pt" : "logits_safetensors";
        var expected = json.RootElement.GetProperty(key).EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble())).ToArray();
        var actual = Logits(student);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.InRange(Math.Abs(expected[i] - actual[i]), 0, 1e-5);
    }
}
