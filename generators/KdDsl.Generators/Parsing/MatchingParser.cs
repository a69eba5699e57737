using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using static KdDsl.Generators.Diagnostics.DiagnosticDescriptors;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// Reads <c>[MatchLayers]</c> and <c>[LayerMap]</c> and the two models' stacks (their ModuleList field, embedding field and
/// <c>[LayerStack]</c> declarations), and checks everything that is known at compile time: the models are layered, every path
/// names a layer, indices are in range, the strategy fits the depths, the widths fit the projection setting.
/// </summary>
internal sealed class MatchingParser
{
    private const string LayeredInterface = "KdDsl.Matching.ILayeredModule";
    private const string ModuleList = "TorchSharp.Modules.ModuleList";
    private const string EmbeddingType = "TorchSharp.Modules.Embedding";

    /// <summary>Name of the HiddenStates term in LossTermNames, EpochLosses and progress reports.</summary>
    public const string TermName = "HiddenStates";

    /// <summary>
    /// Its name with <c>Distance = HiddenDistance.AttentionTransfer</c>; the relational distances (SP, RKD, PKT) likewise name
    /// the term after themselves (<see cref="IsRelational"/>).
    /// </summary>
    public const string AttentionTermName = "AttentionTransfer";

    private readonly Compilation compilation;
    private readonly CancellationToken cancellationToken;
    private readonly List<DiagnosticInfo> diagnostics;

    public MatchingParser(Compilation compilation, CancellationToken cancellationToken, List<DiagnosticInfo> diagnostics)
    {
        this.compilation = compilation;
        this.cancellationToken = cancellationToken;
        this.diagnostics = diagnostics;
    }

    /// <summary>
    /// The matching of <paramref name="type"/>: <c>Declared</c> when it has <c>[MatchLayers]</c>; <c>Spec</c> when that is
    /// complete and valid. <paramref name="teacherModel"/> is the teacher's type (the student's for a self teacher).
    /// </summary>
    public (bool Declared, MatchingSpec? Spec) Parse(INamedTypeSymbol type, AttributeArguments? teacher, INamedTypeSymbol? teacherModel,
        AttributeArguments? student, INamedTypeSymbol? studentModel)
    {
        AttributeArguments? match = null;
        var maps = new List<AttributeArguments>();
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name == AttributeNames.MatchLayers) match = new AttributeArguments(attribute, cancellationToken);
            else if (name == AttributeNames.LayerMap) maps.Add(new AttributeArguments(attribute, cancellationToken));
        }
        // [LayerMap] arguments C# accepts that name no layer pair: a null path, a pair written twice.
        var seenPairs = new HashSet<(string, string)>();
        foreach (var map in maps)
        {
            for (int i = 0; i < 2; i++)
            {
                if (map.Positional(i) is { IsNull: true })
                    Report(NullArgument, map.PositionalLocation(i), null, i == 0 ? "The student layer of [LayerMap]" : "The teacher layer of [LayerMap]",
                        "write a layer path, e.g. [LayerMap(\"blocks.0\", \"blocks.3\")]");
            }
            if (map.Positional(0)?.Value is string studentLayer && map.Positional(1)?.Value is string teacherLayer && !seenPairs.Add((studentLayer, teacherLayer)))
                Report(DuplicateLayerMapPair, map.AttributeLocation, null, studentLayer, teacherLayer);
        }
        if (match is not { } m)
        {
            foreach (var map in maps)
                Report(MissingRequirement, map.AttributeLocation, null, "[LayerMap]", "[MatchLayers(LayerSelection.Explicit)] on the same class");
            return (false, null);
        }
        if (m.Positional(0)?.Value is not int selectionValue) return (true, null);
        int errorsBefore = diagnostics.Count(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);

        var defaults = AttributeDefaults.MatchLayers;
        var selection = LayerSelection.None;
        if (Enum.IsDefined(typeof(LayerSelection), selectionValue)) selection = (LayerSelection)selectionValue;
        else Report(UnknownEnumValue, m.PositionalLocation(0), null, Format(selectionValue), nameof(LayerSelection), Names<LayerSelection>());
        double weight = m.NamedOr(nameof(MatchLayersAttribute.Weight), defaults.Weight);
        if (!(weight >= 0) || double.IsInfinity(weight))
            Report(NegativeWeight, m.NamedLocation(nameof(MatchLayersAttribute.Weight)), null, TermName, Format(weight));
        var distance = EnumOption(m, nameof(MatchLayersAttribute.Distance), defaults.Distance);
        var normalization = EnumOption(m, nameof(MatchLayersAttribute.Normalization), defaults.Normalization);
        var resize = EnumOption(m, nameof(MatchLayersAttribute.Resize), defaults.Resize);
        if (distance == HiddenDistance.AttentionTransfer && normalization != HiddenNormalization.None)
            Report(ConflictingOptions, m.NamedLocation(nameof(MatchLayersAttribute.Normalization)), null, "MatchLayers.Normalization",
                "HiddenDistance.AttentionTransfer", "attention maps are L2-normalised by definition; remove it");
        // SP, RKD and PKT compare each model's relations between the batch's samples: they normalise those relations themselves,
        // need no connector and no common map size, so these options would be silently ignored.
        if (IsRelational(distance))
        {
            string name = "HiddenDistance." + distance;
            if (normalization != HiddenNormalization.None)
                Report(ConflictingOptions, m.NamedLocation(nameof(MatchLayersAttribute.Normalization)), null, "MatchLayers.Normalization", name,
                    RelationalNormalizationReason(distance) + "; remove it");
            if (m.Has(nameof(MatchLayersAttribute.Projection)) && !m.NamedOr(nameof(MatchLayersAttribute.Projection), defaults.Projection))
                Report(ConflictingOptions, m.NamedLocation(nameof(MatchLayersAttribute.Projection)), null, "MatchLayers.Projection", name,
                    "a relational distance compares each model's relations between samples, so widths may differ and no connector is ever made; remove it");
            if (resize != SpatialResize.None)
                Report(ConflictingOptions, m.NamedLocation(nameof(MatchLayersAttribute.Resize)), null, "MatchLayers.Resize", name,
                    "a relational distance compares each model's relations between samples, so feature maps of any sizes are compared as they are; remove it");
        }
        bool embeddings = m.NamedOr(nameof(MatchLayersAttribute.MatchEmbeddings), defaults.MatchEmbeddings);
        bool projection = m.NamedOr(nameof(MatchLayersAttribute.Projection), defaults.Projection);
        bool initialize = m.NamedOr(nameof(MatchLayersAttribute.InitializeFromTeacher), defaults.InitializeFromTeacher);
        string? allToOne = m.NamedOr(nameof(MatchLayersAttribute.AllToOneTeacherLayer), defaults.AllToOneTeacherLayer);

        if (m.Has(nameof(MatchLayersAttribute.AllToOneTeacherLayer)) && selection != LayerSelection.AllToOne)
            Report(ConflictingOptions, m.NamedLocation(nameof(MatchLayersAttribute.AllToOneTeacherLayer)), null, "MatchLayers.AllToOneTeacherLayer", "LayerSelection." + selection,
                "it applies only to LayerSelection.AllToOne; remove it");
        if (selection == LayerSelection.Explicit && maps.Count == 0)
            Report(MissingRequirement, m.PositionalLocation(0), null, "LayerSelection.Explicit",
                "at least one [LayerMap(\"student layer\", \"teacher layer\")] on the same class");
        if (selection != LayerSelection.Explicit)
        {
            foreach (var map in maps)
                Report(MissingRequirement, map.AttributeLocation, null, "[LayerMap]", "[MatchLayers(LayerSelection.Explicit)] (the class declares LayerSelection." + selection + ")");
        }

        var studentStack = studentModel is null || student is not { } s ? null : ReadStack(studentModel, "student", s);
        var teacherStack = teacherModel is null || teacher is not { } tt ? null
            : SymbolEqualityComparer.Default.Equals(teacherModel, studentModel) ? studentStack : ReadStack(teacherModel, "teacher", tt);
        if (studentStack is null || teacherStack is null) return (true, null);
        string studentName = studentModel!.ToDisplayString(), teacherName = teacherModel!.ToDisplayString();

        var entries = new List<LayerMapEntrySpec>();
        if (selection == LayerSelection.Explicit)
        {
            foreach (var map in maps)
            {
                if (map.Positional(0)?.Value is not string sp || map.Positional(1)?.Value is not string tp) continue;
                CheckPath(sp, studentStack, "student", studentName, map.PositionalLocation(0), allowEmbedding: true);
                CheckPath(tp, teacherStack, "teacher", teacherName, map.PositionalLocation(1), allowEmbedding: true);
                entries.Add(new LayerMapEntrySpec(sp, tp));
            }
        }
        if (allToOne is not null && selection == LayerSelection.AllToOne)
            CheckPath(allToOne, teacherStack, "teacher", teacherName, m.NamedLocation(nameof(MatchLayersAttribute.AllToOneTeacherLayer)), allowEmbedding: false);
        if (selection is LayerSelection.Forward or LayerSelection.Reverse or LayerSelection.Random or LayerSelection.InOrderRandom
            && studentStack.Count > 0 && teacherStack.Count > 0 && studentStack.Count > teacherStack.Count)
            Report(StudentDeeperThanTeacher, m.PositionalLocation(0), null, selection.ToString(), Format(studentStack.Count), Format(teacherStack.Count));
        if (embeddings && selection != LayerSelection.None)
        {
            foreach (var (stack, role, name) in new[] { (studentStack, "student", studentName), (teacherStack, "teacher", teacherName) })
            {
                if (stack.EmbeddingPath is null)
                    Report(MissingRequirement, m.NamedLocation(nameof(MatchLayersAttribute.MatchEmbeddings)), null, "MatchLayers.MatchEmbeddings",
                        $"an embedding layer in the {role} '{name}' (an Embedding field, or [LayerStack(Embedding = \"field\")])");
            }
        }
        if (initialize && !SymbolEqualityComparer.Default.Equals(teacherModel, studentModel))
        {
            // The copy needs blocks of one architecture and width, and a teacher block for every student block.
            if (studentStack.Width > 0 && teacherStack.Width > 0 && studentStack.Width != teacherStack.Width)
                Report(CannotInitializeFromTeacher, m.NamedLocation(nameof(MatchLayersAttribute.InitializeFromTeacher)), null,
                    $"blocks of the same width, but the student's are {Format(studentStack.Width)} wide and the teacher's {Format(teacherStack.Width)}");
            else if (studentStack.Count > 0 && teacherStack.Count > 0 && studentStack.Count > teacherStack.Count)
                Report(CannotInitializeFromTeacher, m.NamedLocation(nameof(MatchLayersAttribute.InitializeFromTeacher)), null,
                    $"a distinct teacher block per student block, but the student has {Format(studentStack.Count)} and the teacher {Format(teacherStack.Count)}");
        }
        if (!projection && distance != HiddenDistance.AttentionTransfer && !IsRelational(distance) && selection != LayerSelection.None && studentStack.Width > 0 && teacherStack.Width > 0 && studentStack.Width != teacherStack.Width)
            Report(WidthMismatchWithoutProjection, m.NamedLocation(nameof(MatchLayersAttribute.Projection)), null, Format(studentStack.Width), Format(teacherStack.Width));

        if (diagnostics.Count(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) > errorsBefore) return (true, null);
        return (true, new MatchingSpec(selection, weight, distance, normalization, embeddings, allToOne, projection,
            new EquatableArray<LayerMapEntrySpec>(entries), studentStack, teacherStack, initialize, resize));
    }

    /// <summary>The declared terms followed by the HiddenStates term, which the emitter treats like any other term.</summary>
    public static EquatableArray<LossTermSpec> WithHiddenTerm(EquatableArray<LossTermSpec> losses, MatchingSpec? matching) =>
        matching is null ? losses
            : new EquatableArray<LossTermSpec>(losses.Concat(new[]
            {
                HiddenTerm(matching.Weight, AttributeDefaults.Loss) with
                {
                    NameOverride = matching.Distance == HiddenDistance.AttentionTransfer || IsRelational(matching.Distance) ? matching.Distance.ToString() : null,
                },
            }).ToList());

    /// <summary>
    /// Whether <paramref name="distance"/> compares relations between a batch's samples (SP, RKD, PKT; the runtime's
    /// <c>HiddenStateDistance.IsRelational</c>): the term is then named after the distance and no connector is made.
    /// </summary>
    public static bool IsRelational(HiddenDistance distance) => distance is HiddenDistance.SimilarityPreserving or HiddenDistance.RelationalDistance
        or HiddenDistance.RelationalAngle or HiddenDistance.RelationalDistanceAngle or HiddenDistance.ProbabilisticTransfer;

    /// <summary>The smallest batch a distance learns anything from (the runtime's <c>HiddenStateDistance.MinimumBatchSize</c>).</summary>
    public static int MinimumBatchSize(HiddenDistance distance) => distance switch
    {
        HiddenDistance.RelationalDistance or HiddenDistance.RelationalAngle or HiddenDistance.RelationalDistanceAngle => 3,
        HiddenDistance.SimilarityPreserving or HiddenDistance.ProbabilisticTransfer => 2,
        _ => 1,
    };

    /// <summary>Why a batch of fewer than <see cref="MinimumBatchSize"/> samples teaches nothing, for KD0053.</summary>
    public static string SmallBatchReason(HiddenDistance distance) => distance switch
    {
        HiddenDistance.SimilarityPreserving => "with one sample the row-normalised 1 x 1 similarity matrix is the same for every student, so the term is always 0",
        HiddenDistance.ProbabilisticTransfer => "with one sample the conditional probability is 1 for every student, so the term is always 0",
        _ => "with two samples the one distance divided by its mean is always 1 and every angle is 0 or 1, so the term is always 0",
    };

    private static string RelationalNormalizationReason(HiddenDistance distance) => distance switch
    {
        HiddenDistance.SimilarityPreserving => "SP normalises the rows of each model's similarity matrix itself",
        HiddenDistance.ProbabilisticTransfer => "PKT L2-normalises the feature vectors by definition",
        _ => "RKD divides the distances by their mean and compares angles of normalised differences, so it is invariant to the features' scale by definition",
    };

    /// <summary>The HiddenStates term: its weight, and [Loss]'s defaults for the options it does not read.</summary>
    private static LossTermSpec HiddenTerm(double weight, LossAttribute d) =>
        new(LossTermSpec.HiddenStates, weight, d.Temperature, d.StudentTemperature, d.Reduction, d.ScaleByTemperatureSquared, d.Epsilon,
            d.SmoothingForm, d.TargetProbability, d.TfKdForm, d.TopK, d.TopKForm, d.SimilarityTemperature);

    private LayerStackSpec? ReadStack(INamedTypeSymbol model, string role, AttributeArguments attribute)
    {
        var location = attribute.PositionalLocation(0);
        string display = model.ToDisplayString();
        var layered = compilation.GetTypeByMetadataName(LayeredInterface);
        if (layered is null || !model.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, layered)))
        {
            Report(NotLayered, location, null, role, display,
                "it does not implement KdDsl.Matching.ILayeredModule (Embed, Layer, Head), which the generated loop calls to capture its hidden states");
            return null;
        }
        // Fields of the type and its base classes, most derived first: TorchSharp names modules after their fields.
        var fields = new List<IFieldSymbol>();
        AttributeData? classStack = null;
        for (var current = model; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            classStack ??= current.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeNames.LayerStack);
            fields.AddRange(current.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic));
        }
        // Blocks named by [LayerStack(Paths = ...)] on the class (TorchVision's "layer1" to "layer4"): no ModuleList to read.
        if (NamedArray(classStack, nameof(LayerStackAttribute.Paths)) is { } declaredPaths)
        {
            if (declaredPaths.Length == 0 || declaredPaths.Any(string.IsNullOrEmpty) || declaredPaths.Distinct(StringComparer.Ordinal).Count() != declaredPaths.Length)
            {
                Report(NotLayered, location, null, role, display, "its [LayerStack(Paths = ...)] must list each block's path once, none empty");
                return null;
            }
            int declaredWidth = Named(classStack, nameof(LayerStackAttribute.Width)) is int dw && dw > 0 ? dw : 0;
            return new LayerStackSpec("", Named(classStack, nameof(LayerStackAttribute.Embedding)) as string, declaredPaths.Length, declaredWidth,
                new EquatableArray<string>(declaredPaths!));
        }
        var lists = fields.Where(f => f.Type is INamedTypeSymbol n && n.OriginalDefinition.ToDisplayString().StartsWith(ModuleList, StringComparison.Ordinal)).ToList();
        var marked = lists.Where(f => f.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeNames.LayerStack)).ToList();
        IFieldSymbol stack;
        if (marked.Count == 1) stack = marked[0];
        else if (marked.Count == 0 && lists.Count == 1) stack = lists[0];
        else
        {
            Report(NotLayered, location, null, role, display, lists.Count == 0
                ? "it has no ModuleList field holding its blocks (the field's name gives the layer paths, e.g. \"blocks.0\")"
                : "it has several ModuleList fields (" + string.Join(", ", lists.Select(f => f.Name)) + "); mark the one holding its blocks with [LayerStack]");
            return null;
        }
        var fieldStack = stack.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeNames.LayerStack);
        // A negative value on either [LayerStack] (the class's would otherwise fall through to the field's) is reported, not ignored.
        foreach (var declared in new[] { classStack, fieldStack })
        {
            if (Named(declared, nameof(LayerStackAttribute.Count)) is int c && c < 0 || Named(declared, nameof(LayerStackAttribute.Width)) is int w && w < 0)
            {
                Report(NotLayered, location, null, role, display, "its [LayerStack] declares a negative Count or Width");
                return null;
            }
        }
        int count = Named(classStack, nameof(LayerStackAttribute.Count)) is int c1 && c1 > 0 ? c1 : Named(fieldStack, nameof(LayerStackAttribute.Count)) is int c2 ? c2 : 0;
        int width = Named(classStack, nameof(LayerStackAttribute.Width)) is int w1 && w1 > 0 ? w1 : Named(fieldStack, nameof(LayerStackAttribute.Width)) is int w2 ? w2 : 0;
        string? embedding = Named(classStack, nameof(LayerStackAttribute.Embedding)) as string ?? Named(fieldStack, nameof(LayerStackAttribute.Embedding)) as string;
        if (embedding is not null)
        {
            if (!fields.Any(f => f.Name == embedding))
            {
                Report(NotLayered, location, null, role, display, $"its [LayerStack] names the embedding field '{embedding}', which it does not have");
                return null;
            }
        }
        else
        {
            var embeddingFields = fields.Where(f => f.Type.ToDisplayString() == EmbeddingType).ToList();
            if (embeddingFields.Count == 1) embedding = embeddingFields[0].Name;
        }
        if (count < 0 || width < 0)
        {
            Report(NotLayered, location, null, role, display, "its [LayerStack] declares a negative Count or Width");
            return null;
        }
        // Constants in the model's own source (LayerShapeReader) count as declared; KD0025 points at the [LayerStack] argument
        // that supplied the disagreeing value (the class's, else the field's, as read above).
        var inferred = LayerShapeReader.Read(model, stack, compilation, cancellationToken);
        AttributeData? Supplier(string name) => Named(classStack, name) is int v && v > 0 ? classStack : fieldStack;
        if (count > 0 && inferred.Count > 0 && count != inferred.Count)
            Report(LayerStackDisagrees, StackArgumentLocation(Supplier(nameof(LayerStackAttribute.Count)), nameof(LayerStackAttribute.Count)) ?? location, null, nameof(LayerStackAttribute.Count), Format(count), display, inferred.CountSource, Format(inferred.Count));
        if (width > 0 && inferred.Width > 0 && width != inferred.Width)
            Report(LayerStackDisagrees, StackArgumentLocation(Supplier(nameof(LayerStackAttribute.Width)), nameof(LayerStackAttribute.Width)) ?? location, null, nameof(LayerStackAttribute.Width), Format(width), display, inferred.WidthSource, Format(inferred.Width));
        // The source is what runs: after KD0025 the other checks use its numbers, so they report nothing the fix would not clear.
        if (inferred.Count > 0) count = inferred.Count;
        if (inferred.Width > 0) width = inferred.Width;
        return new LayerStackSpec(stack.Name, embedding, count, width);
    }

    private LocationInfo? StackArgumentLocation(AttributeData? attribute, string name) =>
        attribute is null ? null : new AttributeArguments(attribute, cancellationToken).NamedLocation(name);

    /// <summary>The string-array argument <paramref name="name"/>, or null when absent (or not a string array).</summary>
    private static string?[]? NamedArray(AttributeData? attribute, string name)
    {
        if (attribute is null) return null;
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Kind == TypedConstantKind.Array && !pair.Value.IsNull)
                return pair.Value.Values.Select(v => v.Value as string).ToArray();
        }
        return null;
    }

    private static object? Named(AttributeData? attribute, string name)
    {
        if (attribute is null) return null;
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Kind != TypedConstantKind.Error) return pair.Value.Value;
        }
        return null;
    }

    /// <summary>The layer paths of a stack, for messages: "embedding, blocks.0 to blocks.11" (or "blocks.&lt;i&gt;" when the count is unknown).</summary>
    private static string Describe(LayerStackSpec stack, bool allowEmbedding)
    {
        if (stack.HasPaths)
            return (allowEmbedding && stack.EmbeddingPath is not null ? stack.EmbeddingPath + ", " : "") + string.Join(", ", stack.Paths);
        string blocks = stack.Count > 0
            ? (stack.Count == 1 ? stack.StackPath + ".0" : $"{stack.StackPath}.0 to {stack.StackPath}.{Format(stack.Count - 1)}")
            : stack.StackPath + ".<i>";
        return allowEmbedding && stack.EmbeddingPath is not null ? stack.EmbeddingPath + ", " + blocks : blocks;
    }

    private void CheckPath(string path, LayerStackSpec stack, string role, string model, LocationInfo? location, bool allowEmbedding)
    {
        if (allowEmbedding && stack.EmbeddingPath is not null && path == stack.EmbeddingPath) return;
        if (stack.HasPaths)
        {
            if (stack.Paths.Contains(path)) return;
            var named = (allowEmbedding && stack.EmbeddingPath is not null ? new[] { stack.EmbeddingPath } : Array.Empty<string>()).Concat(stack.Paths);
            string closest = named.OrderBy(candidate => EditDistance.Between(candidate, path)).ThenBy(candidate => candidate.Length).First();
            Report(UnknownLayerPath, location, closest, path, role, model, Describe(stack, allowEmbedding));
            return;
        }
        string prefix = stack.StackPath + ".";
        if (path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length && path.Substring(prefix.Length).All(ch => ch >= '0' && ch <= '9')
            && int.TryParse(path.Substring(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            if (stack.Count > 0 && index >= stack.Count)
                Report(LayerIndexOutOfRange, location, prefix + Format(stack.Count - 1), path, role, model, Format(stack.Count), Describe(stack, false));
            return;
        }
        var candidates = new List<string>();
        if (allowEmbedding && stack.EmbeddingPath is not null) candidates.Add(stack.EmbeddingPath);
        int blocks = stack.Count > 0 ? stack.Count : 1;
        for (int i = 0; i < blocks; i++) candidates.Add(prefix + Format(i));
        string nearest = candidates.OrderBy(candidate => EditDistance.Between(candidate, path)).ThenBy(candidate => candidate.Length).First();
        Report(UnknownLayerPath, location, nearest, path, role, model, Describe(stack, allowEmbedding));
    }

    /// <summary>The enum option <paramref name="option"/>, or <paramref name="fallback"/> (the attribute's default) when unset or undefined.</summary>
    private TEnum EnumOption<TEnum>(AttributeArguments attribute, string option, TEnum fallback) where TEnum : struct, Enum
    {
        if (attribute.Named(option)?.Value is not int value) return fallback;
        if (Enum.IsDefined(typeof(TEnum), value)) return (TEnum)Enum.ToObject(typeof(TEnum), value);
        Report(UnknownEnumValue, attribute.NamedLocation(option), null, Format(value), typeof(TEnum).Name, Names<TEnum>());
        return fallback;
    }

    private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, string? fix, params string[] arguments) =>
        diagnostics.Add(new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments), fix));

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Names<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames(typeof(TEnum)));
}
