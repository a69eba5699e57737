using System.Collections.Generic;
using System.Linq;
using KdDsl.Data;
using KdDsl.Matching;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Matching;

/// <summary>InitializeFromTeacher: which teacher weights each student parameter receives, the refusals, and the generated run.</summary>
public sealed class TeacherInitializationTests
{
    private static Dictionary<string, Tensor> Parameters(nn.Module module) =>
        module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter.detach().clone());

    private static LayerStackShape Shape(ILayeredModule model, string role) => LayerStackShape.Of(model, role, role, "blocks", "embedding");

    [Fact]
    public void Student_blocks_take_the_forward_teacher_blocks_and_the_rest_by_name()
    {
        torch.manual_seed(1);
        using var teacher = new FourBlockTeacher(64, 10);
        using var student = new TwoBlockWideStudent(64, 10);
        var pairs = TeacherInitialization.CopyInto(student, teacher, Shape(student, "student"), Shape(teacher, "teacher"));

        // 2 student blocks of 4 teacher blocks: round(1*4/2) = 2 and round(2*4/2) = 4, i.e. 0-based blocks 1 and 3.
        Assert.Equal(new[] { "blocks.0 <- blocks.1", "blocks.1 <- blocks.3" }, pairs);
        var t = Parameters(teacher);
        var s = Parameters(student);
        string From(string name) => name.StartsWith("blocks.0.") ? "blocks.1." + name["blocks.0.".Length..]
            : name.StartsWith("blocks.1.") ? "blocks.3." + name["blocks.1.".Length..] : name;
        // Linear weights start random in both models, so equality means copied (norms start at 1 and 0 in both).
        Assert.Contains("embedding.weight", s.Keys);
        Assert.Contains("head.weight", s.Keys);
        foreach (var (name, value) in s)
        {
            Assert.True(value.equal(t[From(name)]).all().item<bool>(), $"{name} should equal the teacher's {From(name)}");
        }
    }

    [Fact]
    public void A_narrower_or_deeper_student_is_refused_and_left_untouched()
    {
        torch.manual_seed(2);
        using var teacher = new FourBlockTeacher(64, 10);
        using var narrow = new TwoBlockStudent(64, 10); // width 16 against the teacher's 32
        var before = Parameters(narrow);
        var error = Assert.Throws<LayerMatchingException>(() =>
            TeacherInitialization.CopyInto(narrow, teacher, Shape(narrow, "student"), Shape(teacher, "teacher")));
        Assert.Contains("the blocks need the same architecture and width (16 vs 32)", error.Message);
        Assert.All(Parameters(narrow), p => Assert.True(p.Value.equal(before[p.Key]).all().item<bool>()));

        var deeper = Assert.Throws<LayerMatchingException>(() =>
            TeacherInitialization.CopyInto(teacher, narrow, Shape(teacher, "student"), Shape(narrow, "teacher")));
        Assert.Contains("has 4 blocks and the teacher", deeper.Message);
    }

    [Fact]
    public void The_generated_run_starts_the_student_and_its_baseline_from_the_teacher()
    {
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 256, 64);
        using var result = TeacherInitializedKd.Run(data);
        // Reverse matching, but the copy follows the forward map: student block 0 <- teacher block 1, block 1 <- block 3.
        Assert.Equal("blocks.0 -> blocks.3, blocks.1 -> blocks.1", result.LayerMap.ToString());
        var t = Parameters(result.Teacher);
        foreach (var model in new nn.Module[] { result.Student, result.StudentAlone! })
        {
            foreach (var (name, value) in Parameters(model))
            {
                string from = name.StartsWith("blocks.0.") ? "blocks.1." + name["blocks.0.".Length..]
                    : name.StartsWith("blocks.1.") ? "blocks.3." + name["blocks.1.".Length..] : name;
                double gap = (value - t[from]).abs().max().item<float>();
                Assert.True(gap < 1e-6, $"{name} differs from the teacher's {from} by {gap} (learning rate 1e-9)");
            }
        }
    }
}
