using System.Linq;
using KdDsl.Generators.Model;
using static KdDsl.Generators.Emitting.SourceWriter;

namespace KdDsl.Generators.Emitting;

/// <summary>
/// The parts of an experiment with <c>[MatchLayers]</c> that <see cref="ExperimentEmitter"/> asks for: the declared matching,
/// the student built and the layer map resolved right after the teacher is built (before any training step), the projections
/// created before the optimizer, and the forward passes that capture hidden states through <c>ILayeredModule</c> (no hooks).
/// The HiddenStates term itself is an ordinary term of the spec (see <see cref="Parsing.MatchingParser.WithHiddenTerm"/>).
/// </summary>
internal static class MatchingEmitter
{
    private const string Matching = "global::KdDsl.Matching";
    private const string Training = "global::KdDsl.Training";

    /// <summary>The <c>DeclaredMatching</c> property.</summary>
    public static void WriteDeclarations(SourceWriter w, MatchingSpec m)
    {
        w.Line();
        w.Line("/// <summary>The layer matching declared by <c>[MatchLayers]</c> and <c>[LayerMap]</c>.</summary>");
        string map = m.Map.Count == 0 ? "null"
            : "new (string, string)[] { " + string.Join(", ", m.Map.Select(e => $"({Literal(e.Student)}, {Literal(e.Teacher)})")) + " }";
        w.Line($"public static {Matching}.MatchingSettings DeclaredMatching {{ get; }} =");
        w.Indent++;
        var arguments = new System.Collections.Generic.List<string>
        {
            $"global::KdDsl.LayerSelection.{m.Selection}", $"Weight: {Double(m.Weight)}", $"Distance: global::KdDsl.HiddenDistance.{m.Distance}",
            $"Normalization: global::KdDsl.HiddenNormalization.{m.Normalization}", $"MatchEmbeddings: {Bool(m.MatchEmbeddings)}",
            $"AllToOneTeacherLayer: {LiteralOrNull(m.AllToOneTeacherLayer)}", $"Projection: {Bool(m.Projection)}", $"ExplicitMap: {map}",
        };
        if (m.Resize != SpatialResize.None) arguments.Add($"Resize: global::KdDsl.SpatialResize.{m.Resize}");
        w.Wrapped($"new {Matching}.MatchingSettings(", arguments, ");");
        w.Indent--;
    }

    /// <summary>Right after the teacher is built: the student, both stacks checked, the map resolved.</summary>
    public static void WriteStudentAndMap(SourceWriter w, ExperimentSpec spec, MatchingSpec m)
    {
        var teacher = spec.Teacher!;
        w.Line("// Layer matching: the student is built now, so both stacks are checked and the map resolved before any training step.");
        ExperimentEmitter.WriteBuild(w, "student", spec.Student, "student", 1);
        // A swept strategy replaces the declared one; everything else [MatchLayers] says stays.
        string settings = spec.Sweep is { } sweep && sweep.Has(SweepKnob.LayerSelection) ? "DeclaredMatching with { Selection = trial.LayerSelection }" : "DeclaredMatching";
        w.Line($"var layerMap = {Matching}.LayerMapping.Resolve({settings},");
        w.Indent++;
        w.Line($"{Matching}.LayerStackShape.Of(student, \"student\", {Literal(spec.Student.DisplayName)}, {Stack(m.Student)}, {LiteralOrNull(m.Student.EmbeddingPath)}, data.Train),");
        w.Line($"{Matching}.LayerStackShape.Of(teacher, \"teacher\", {Literal(teacher.Model.DisplayName)}, {Stack(m.Teacher)}, {LiteralOrNull(m.Teacher.EmbeddingPath)}, data.Train),");
        w.Line("run.Settings.Seed);");
        w.Indent--;
        w.Line("// The matching term: its connectors (for pairs whose widths differ) are created here and trained with the student.");
        w.Wrapped($"var matcher = new {Matching}.HiddenStateMatcher(",
            new[] { "layerMap", $"global::KdDsl.HiddenDistance.{m.Distance}", $"global::KdDsl.HiddenNormalization.{m.Normalization}" }, ");");
        w.Line("global::TorchSharp.ModuleExtensionMethods.to(matcher, run.Device);");
    }

    // The ModuleList field's name, or the declared block paths.
    private static string Stack(LayerStackSpec stack) =>
        stack.HasPaths ? "new string[] { " + string.Join(", ", stack.Paths.Select(Literal)) + " }" : Literal(stack.StackPath);

    /// <summary>
    /// With <c>InitializeFromTeacher</c>, once the teacher is trained or loaded: <paramref name="variable"/> (the student, or the
    /// student-alone baseline, which starts from the same weights) copies the teacher's blocks along the forward map.
    /// </summary>
    public static void WriteInitialization(SourceWriter w, ExperimentSpec spec, string variable)
    {
        if (spec.Matching is not { InitializeFromTeacher: true }) return;
        w.Line($"{Matching}.TeacherInitialization.CopyInto({variable}, teacher, layerMap.Student, layerMap.Teacher); // student block i <- teacher block round(i*m/n)");
    }

    /// <summary>The HiddenStates term.</summary>
    public const string Loss = "matcher.Loss(batch.StudentStates!, batch.TeacherStates!, studentLogits)";

    /// <summary>The Result property holding the map.</summary>
    public const string ResultProperty = "required " + Matching + ".ResolvedLayerMap LayerMap { get; init; }";

    /// <summary>The Result property holding the HiddenStates term and its projections.</summary>
    public const string MatcherProperty = "required " + Matching + ".HiddenStateMatcher Matcher { get; init; }";
}
