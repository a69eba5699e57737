using System.Linq;

namespace KdDsl.CodeFixes.Tests;

/// <summary>Experiment sources for the tests, written out in full so the expected text after a fix is exact.</summary>
internal static class Sources
{
    public const string Teacher = "[Teacher(typeof(BigNet))]";
    public const string Student = "[Student(typeof(SmallNet))]";
    public const string CrossEntropy = "[Loss(LossKind.CrossEntropy, Weight = 0.1)]";
    public const string KlDivergence = "[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]";
    public const string Class = "public partial class Exp { }";

    /// <summary>
    /// An experiment in namespace Sample.Experiments: <c>[Distillation]</c>, then <paramref name="lines"/> (attributes and,
    /// last, the class declaration), one per line, indented like hand-written code.
    /// </summary>
    public static string Experiment(params string[] lines) =>
        "using KdDsl;\nusing Sample;\n\nnamespace Sample.Experiments\n{\n    /// <summary>An experiment.</summary>\n    [Distillation]\n"
        + string.Concat(lines.Select(l => "    " + l + "\n"))
        + "}\n";

    /// <summary>The valid experiment with one attribute line replaced (or removed, when <paramref name="replacement"/> is null).</summary>
    public static string Valid(string line, string? replacement) =>
        Experiment(new[] { Teacher, Student, CrossEntropy, KlDivergence, Class }
            .Select(l => l == line ? replacement : l).Where(l => l is not null).ToArray()!);
}
