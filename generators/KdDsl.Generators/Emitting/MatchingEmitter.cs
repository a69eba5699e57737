using System.CodeDom.Compiler;
using System.Globalization;
using System.Linq;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis.CSharp;

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
    public static void WriteDeclarations(IndentedTextWriter w, MatchingSpec m)
    {
        w.WriteLine();
        w.WriteLine("/// <summary>The layer matching declared by <c>[MatchLayers]</c> and <c>[LayerMap]</c>.</summary>");
        string map = m.Map.Count == 0 ? "null"
            : "new (string, string)[] { " + string.Join(", ", m.Map.Select(e => $"({Literal(e.Student)}, {Literal(e.Teacher)})")) + " }";
        w.WriteLine($"public static {Matching}.MatchingSettings DeclaredMatching {{ get; }} = new {Matching}.MatchingSettings(");
        w.Indent++;
        w.WriteLine($"global::KdDsl.LayerSelection.{m.Selection}, Weight: {Double(m.Weight)}, " +
                    $"Distance: global::KdDsl.HiddenDistance.{m.Distance}, " +
                    $"Normalization: global::KdDsl.HiddenNormalization.{m.Normalization},");
        w.WriteLine($"MatchEmbeddings: {Bool(m.MatchEmbeddings)}, AllToOneTeacherLayer: {(m.AllToOneTeacherLayer is null ? "null" : Literal(m.AllToOneTeacherLayer))}, " +
                    $"Projection: {Bool(m.Projection)}, ExplicitMap: {map});");
        w.Indent--;
    }

    /// <summary>Right after the teacher is built: the student, both stacks checked, the map resolved.</summary>
    public static void WriteStudentAndMap(IndentedTextWriter w, ExperimentSpec spec, MatchingSpec m, System.Action<string> construct)
    {
        var teacher = spec.Teacher!;
        w.WriteLine("// Layer matching: the student is built now, so both stacks are checked and the layer map resolved before any training step.");
        w.WriteLine($"{Training}.ExperimentRuntime.Seed(unchecked(settings.Seed + 1));");
        construct("student");
        // A swept strategy replaces the declared one; everything else [MatchLayers] says stays.
        string settings = spec.Sweep is { } sweep && sweep.Has(SweepKnob.LayerSelection) ? "DeclaredMatching with { Selection = trial.LayerSelection }" : "DeclaredMatching";
        w.WriteLine($"var layerMap = {Matching}.LayerMapping.Resolve({settings},");
        w.Indent++;
        w.WriteLine($"{Matching}.LayerStackShape.Of(student, \"student\", {Literal(spec.Student.DisplayName)}, {Literal(m.Student.StackPath)}, {Path(m.Student.EmbeddingPath)}),");
        w.WriteLine($"{Matching}.LayerStackShape.Of(teacher, \"teacher\", {Literal(teacher.Model.DisplayName)}, {Literal(m.Teacher.StackPath)}, {Path(m.Teacher.EmbeddingPath)}),");
        w.WriteLine("settings.Seed);");
        w.Indent--;
        w.WriteLine("// The HiddenStates term: its projections (when the widths differ) are created here, before the optimizer, and trained with the student.");
        w.WriteLine($"var matcher = new {Matching}.HiddenStateMatcher(layerMap, global::KdDsl.HiddenDistance.{m.Distance}, " +
                    $"global::KdDsl.HiddenNormalization.{m.Normalization});");
        w.WriteLine("global::TorchSharp.ModuleExtensionMethods.to(matcher, device);");
    }

    /// <summary>
    /// With <c>InitializeFromTeacher</c>, once the teacher is trained or loaded: <paramref name="variable"/> (the student, or the
    /// student-alone baseline, which starts from the same weights) copies the teacher's blocks along the forward map.
    /// </summary>
    public static void WriteInitialization(IndentedTextWriter w, ExperimentSpec spec, string variable)
    {
        if (spec.Matching is not { InitializeFromTeacher: true }) return;
        w.WriteLine($"{Matching}.TeacherInitialization.CopyInto({variable}, teacher, layerMap.Student, layerMap.Teacher); // student block i <- teacher block round(i*m/n)");
    }

    /// <summary>The Distill parameter that receives the HiddenStates term (and through it the map).</summary>
    public const string Parameter = Matching + ".HiddenStateMatcher matcher";

    /// <summary>Before the optimizer: the capture buffers.</summary>
    public static void WriteMatcher(IndentedTextWriter w)
    {
        w.WriteLine("var studentStates = matcher.Map.StudentCapture();");
        w.WriteLine("var teacherStates = matcher.Map.TeacherCapture();");
    }

    /// <summary>The parameters the optimizer trains: the student's and the projections'.</summary>
    public const string OptimizedParameters = "global::System.Linq.Enumerable.Concat(student.parameters(), matcher.parameters())";

    /// <summary>The teacher's forward pass, capturing the states the map reads.</summary>
    public const string TeacherForward = Matching + ".LayerCapture.Forward(teacher, inputs, teacherStates)";

    /// <summary>The arguments of <c>TeacherOutputCache.InMemory</c>/<c>OnDisk</c> that cache the teacher states the map reads too.</summary>
    public const string CacheSource = "teacher, layerMap, data.Train";

    /// <summary>With a teacher-output cache: the teacher states of the batch, read from the cache instead of a teacher forward pass.</summary>
    public const string CachedTeacherStates = "teacherOutputs.TakeStates(indices, teacherStates); // the cached teacher states the map reads";

    /// <summary>The student's forward pass, capturing the states the map reads.</summary>
    public const string StudentForward = Matching + ".LayerCapture.Forward(student, inputs, studentStates)";

    /// <summary>The HiddenStates term.</summary>
    public const string Loss = "matcher.Loss(studentStates, teacherStates, studentLogits)";

    /// <summary>The Result property holding the map.</summary>
    public const string ResultProperty = "required " + Matching + ".ResolvedLayerMap LayerMap { get; init; }";

    /// <summary>The Result property holding the HiddenStates term and its projections.</summary>
    public const string MatcherProperty = "required " + Matching + ".HiddenStateMatcher Matcher { get; init; }";

    private static string Path(string? path) => path is null ? "null" : Literal(path);

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture) + "d";

    private static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);
}
