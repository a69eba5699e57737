using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Matching;

/// <summary>
/// Starts a student from a trained teacher's weights (<see cref="MatchLayersAttribute.InitializeFromTeacher"/>): student block
/// i (1-based) takes teacher block round(i*m/n), the forward map of Yu et al.; every parameter and buffer outside the block
/// stack takes the teacher's of the same name. The copy happens once, before the optimizer exists.
/// </summary>
public static class TeacherInitialization
{
    /// <summary>
    /// Copies the teacher's weights into <paramref name="student"/> and returns the block pairs ("blocks.0 &lt;- blocks.3", ...).
    /// Throws <see cref="LayerMatchingException"/>, before anything is copied, when a student parameter has no teacher
    /// counterpart or a different shape (different block architecture or width), or the student is deeper than the teacher.
    /// </summary>
    public static IReadOnlyList<string> CopyInto(nn.Module student, nn.Module teacher, LayerStackShape studentShape, LayerStackShape teacherShape)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(studentShape);
        ArgumentNullException.ThrowIfNull(teacherShape);
        if (studentShape.LayerCount > teacherShape.LayerCount)
            throw new LayerMatchingException(
                $"InitializeFromTeacher copies a distinct teacher block into each student block, but the student {studentShape.ModelType} has " +
                $"{studentShape.LayerCount} blocks and the teacher {teacherShape.ModelType} only {teacherShape.LayerCount}.");
        // 1-based teacher block of each student block, as LayerSelection.Forward.
        int[] targets = LayerMapping.Targets(LayerSelection.Forward, studentShape.LayerCount, teacherShape.LayerCount);
        var source = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in teacher.named_parameters()) source[name] = parameter;
        foreach (var (name, buffer) in teacher.named_buffers()) source[name] = buffer;

        // Resolve every pair first, so a misfit leaves the student untouched.
        var copies = new List<(Tensor To, Tensor From)>();
        foreach (var (name, to) in student.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(student.named_buffers()))
        {
            string from = name;
            for (int block = 0; block < targets.Length; block++)
            {
                string prefix = studentShape.PathOf(block + 1) + ".";
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                from = teacherShape.PathOf(targets[block]) + name[(prefix.Length - 1)..];
                break;
            }
            if (!source.TryGetValue(from, out var value))
                throw new LayerMatchingException(
                    $"InitializeFromTeacher: the student's '{name}' has no counterpart '{from}' in the teacher {teacherShape.ModelType}; " +
                    "the two models need the same parameter names (e.g. subclasses of one library model).");
            if (!value.shape.AsSpan().SequenceEqual(to.shape))
                throw new LayerMatchingException(
                    $"InitializeFromTeacher: the student's '{name}' is [{string.Join(", ", to.shape)}] but the teacher's '{from}' is " +
                    $"[{string.Join(", ", value.shape)}]; the blocks need the same architecture and width ({studentShape.Width} vs {teacherShape.Width}).");
            copies.Add((to, value));
        }
        using (no_grad())
        {
            foreach (var (to, from) in copies) to.copy_(from);
        }
        return targets.Select((t, i) => $"{studentShape.PathOf(i + 1)} <- {teacherShape.PathOf(t)}").ToArray();
    }
}
