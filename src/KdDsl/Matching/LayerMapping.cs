using System;
using System.Collections.Generic;
using System.Linq;

namespace KdDsl.Matching;

/// <summary>One matched pair: state indices (0 = embedding, i = block i-1's output) and their paths.</summary>
/// <param name="StudentState">The student's state index.</param>
/// <param name="TeacherState">The teacher's state index.</param>
/// <param name="StudentPath">The student's layer path, e.g. "blocks.0".</param>
/// <param name="TeacherPath">The teacher's layer path, e.g. "blocks.3".</param>
public readonly record struct LayerPair(int StudentState, int TeacherState, string StudentPath, string TeacherPath)
{
    /// <inheritdoc />
    public override string ToString() => StudentPath + " -> " + TeacherPath;
}

/// <summary>
/// How one matched pair's states are compared: their per-sample shapes ([W], [L, W] or [C, H, W]), whether the student's needs a
/// connector to the teacher's width, and for feature maps of different sizes the height and width both are pooled to.
/// </summary>
/// <param name="StudentShape">The student state's per-sample shape.</param>
/// <param name="TeacherShape">The teacher state's per-sample shape.</param>
/// <param name="NeedsConnector">
/// Whether the widths (channels of feature maps) differ and the distance compares them directly (never for attention transfer
/// and the relational distances, which compare quantities derived from each state alone).
/// </param>
/// <param name="PooledSize">[H, W] that both feature maps are average-pooled to, or null when their sizes agree.</param>
public sealed record PairPlan(long[] StudentShape, long[] TeacherShape, bool NeedsConnector, long[]? PooledSize)
{
    /// <summary>Whether the student's state is a feature map [N, C, H, W] (the teacher's too, unless the distance is relational).</summary>
    public bool IsFeatureMap => StudentShape.Length == 3;

    /// <summary>Student width (channels of a feature map).</summary>
    public long StudentWidth => IsFeatureMap ? StudentShape[0] : StudentShape[^1];

    /// <summary>Teacher width (channels of a feature map).</summary>
    public long TeacherWidth => TeacherShape.Length == 3 ? TeacherShape[0] : TeacherShape[^1];
}

/// <summary>The layer map a run used: its strategy, its pairs and the two stacks' shapes.</summary>
public sealed class ResolvedLayerMap
{
    internal ResolvedLayerMap(LayerSelection selection, IReadOnlyList<LayerPair> pairs, LayerStackShape student, LayerStackShape teacher,
        IReadOnlyList<PairPlan> plans)
    {
        Selection = selection;
        Pairs = pairs;
        Student = student;
        Teacher = teacher;
        Plans = plans;
    }

    /// <summary>How each pair (same order as <see cref="Pairs"/>) is compared.</summary>
    public IReadOnlyList<PairPlan> Plans { get; }

    /// <summary>The strategy that produced the map.</summary>
    public LayerSelection Selection { get; }

    /// <summary>The matched pairs, student layers in order (empty for <see cref="LayerSelection.None"/>).</summary>
    public IReadOnlyList<LayerPair> Pairs { get; }

    /// <summary>The student's stack.</summary>
    public LayerStackShape Student { get; }

    /// <summary>The teacher's stack.</summary>
    public LayerStackShape Teacher { get; }

    /// <summary>Whether any pair needs a connector (its widths differ).</summary>
    public bool NeedsProjection => Plans.Any(p => p.NeedsConnector);

    /// <summary>A capture buffer for the student's states the map reads.</summary>
    public CapturedStates StudentCapture() => new(Student.LayerCount + 1, Pairs.Select(p => p.StudentState));

    /// <summary>A capture buffer for the teacher's states the map reads.</summary>
    public CapturedStates TeacherCapture() => new(Teacher.LayerCount + 1, Pairs.Select(p => p.TeacherState));

    /// <summary>"blocks.0 -> blocks.3, blocks.1 -> blocks.7, ..." ("none" when empty).</summary>
    public override string ToString() => Pairs.Count == 0 ? "none" : string.Join(", ", Pairs);
}

/// <summary>The layer-selection strategies of Yu et al. (2025) and their resolution against two built models.</summary>
public static class LayerMapping
{
    /// <summary>
    /// The teacher layer (1-based, 1..m) of each student layer 1..n. <paramref name="seed"/> draws the random strategies;
    /// <paramref name="allToOneTeacherLayer"/> (1-based) is the target of <see cref="LayerSelection.AllToOne"/> (0: the middle
    /// layer, ceil(m/2)). Empty for <see cref="LayerSelection.None"/>. Throws for <see cref="LayerSelection.Explicit"/>,
    /// which has no rule, and when a strategy that needs n &lt;= m gets a deeper student.
    /// </summary>
    public static int[] Targets(LayerSelection selection, int studentLayers, int teacherLayers, int seed = 0, int allToOneTeacherLayer = 0)
    {
        if (studentLayers < 1 || teacherLayers < 1)
            throw new ArgumentOutOfRangeException(nameof(studentLayers), "both models need at least one layer");
        int n = studentLayers, m = teacherLayers;
        if (selection is LayerSelection.Forward or LayerSelection.Reverse or LayerSelection.Random or LayerSelection.InOrderRandom && n > m)
            throw new LayerMatchingException(
                $"LayerSelection.{selection} matches each of the student's {n} layers to a different teacher layer, but the teacher has only {m}.");
        switch (selection)
        {
            case LayerSelection.None:
                return Array.Empty<int>();
            case LayerSelection.Forward:
                return Forward(n, m);
            case LayerSelection.Reverse:
                return Forward(n, m).Reverse().ToArray();
            case LayerSelection.Random:
            {
                var targets = Forward(n, m);
                var random = new Random(seed);
                for (int i = targets.Length - 1; i > 0; i--)
                {
                    int j = random.Next(i + 1);
                    (targets[i], targets[j]) = (targets[j], targets[i]);
                }
                return targets;
            }
            case LayerSelection.InOrderRandom:
            {
                var layers = Enumerable.Range(1, m).ToArray();
                var random = new Random(seed);
                for (int i = 0; i < n; i++)
                {
                    int j = i + random.Next(m - i);
                    (layers[i], layers[j]) = (layers[j], layers[i]);
                }
                return layers.Take(n).OrderBy(l => l).ToArray();
            }
            case LayerSelection.AllToOne:
            {
                int target = allToOneTeacherLayer == 0 ? (m + 1) / 2 : allToOneTeacherLayer;
                if (target < 1 || target > m)
                    throw new LayerMatchingException($"AllToOne teacher layer {target} is outside the teacher's layers 1..{m}.");
                return Enumerable.Repeat(target, n).ToArray();
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(selection), selection, "an explicit map has no rule; use Resolve with the pairs");
        }
    }

    // round(i*m/n), halves up, in integers: floor((2im + n) / 2n).
    private static int[] Forward(int n, int m) => Enumerable.Range(1, n).Select(i => (2 * i * m + n) / (2 * n)).ToArray();

    /// <summary>
    /// The map of a run: the strategy's pairs (plus embedding → embedding when asked), checked against the two models as built.
    /// Throws <see cref="LayerMatchingException"/> naming the problem (a path that names no layer, an index out of range, a
    /// student deeper than a strategy allows, differing widths without a projection).
    /// </summary>
    public static ResolvedLayerMap Resolve(MatchingSettings settings, LayerStackShape student, LayerStackShape teacher, int seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        var pairs = new List<LayerPair>();
        LayerPair Pair(int s, int t) => new(s, t, student.PathOf(s), teacher.PathOf(t));
        if (settings.MatchEmbeddings && settings.Selection != LayerSelection.None)
        {
            if (student.EmbeddingPath is null || teacher.EmbeddingPath is null)
                throw new LayerMatchingException(
                    $"MatchEmbeddings needs an embedding layer in both models, but the {(student.EmbeddingPath is null ? student.Role + " " + student.ModelType : teacher.Role + " " + teacher.ModelType)} has none.");
            pairs.Add(Pair(0, 0));
        }
        if (settings.Selection == LayerSelection.Explicit)
        {
            foreach (var (s, t) in settings.Pairs) pairs.Add(Pair(student.StateOf(s), teacher.StateOf(t)));
        }
        else
        {
            int allToOne = settings.AllToOneTeacherLayer is { } path ? teacher.StateOf(path) : 0;
            if (allToOne == 0 && settings.AllToOneTeacherLayer is not null)
                throw new LayerMatchingException("AllToOneTeacherLayer must name a block of the teacher's stack, not its embedding.");
            var targets = Targets(settings.Selection, student.LayerCount, teacher.LayerCount, seed, allToOne);
            for (int i = 0; i < targets.Length; i++) pairs.Add(Pair(i + 1, targets[i]));
        }
        var plans = pairs.Select(p => Plan(settings, p, student, teacher)).ToArray();
        return new ResolvedLayerMap(settings.Selection, pairs, student, teacher, plans);
    }

    // Checks one pair's shapes against the declared settings, before any training step.
    private static PairPlan Plan(MatchingSettings settings, LayerPair pair, LayerStackShape student, LayerStackShape teacher)
    {
        long[] s = student.ShapeOf(pair.StudentState), t = teacher.ShapeOf(pair.TeacherState);
        string Describe() => $"student {pair.StudentPath} gives [{string.Join(", ", s)}] per sample, teacher {pair.TeacherPath} [{string.Join(", ", t)}]";
        // SP, RKD and PKT compare each model's relations between the batch's samples: any two states of the same batch will do
        // (flattened or pooled per sample), so they need no connector, no common size and no common rank.
        if (HiddenStateDistance.IsRelational(settings.Distance))
        {
            if (s.Length == 2 && t.Length == 2 && s[0] != t[0])
                throw new LayerMatchingException($"Matched sequences differ in length: {Describe()}; the token mask must fit both.");
            return new PairPlan(s, t, false, null);
        }
        if (s.Length != t.Length)
            throw new LayerMatchingException($"Matched states differ in rank: {Describe()}; match layers whose outputs are both vectors, sequences or feature maps.");
        bool attention = settings.Distance == HiddenDistance.AttentionTransfer;
        if (attention && s.Length != 3)
            throw new LayerMatchingException($"HiddenDistance.AttentionTransfer compares feature maps [N, C, H, W], but {Describe()}.");
        long[]? pooled = null;
        if (s.Length == 3 && (s[1] != t[1] || s[2] != t[2]))
        {
            if (settings.Resize == SpatialResize.None)
                throw new LayerMatchingException(
                    $"Matched feature maps differ in size: {Describe()}. Match stages of the same resolution, or declare " +
                    "[MatchLayers(..., Resize = SpatialResize.AdaptiveAveragePool)] to pool the larger map to the smaller size.");
            pooled = new[] { Math.Min(s[1], t[1]), Math.Min(s[2], t[2]) };
        }
        if (s.Length == 2 && s[0] != t[0])
            throw new LayerMatchingException($"Matched sequences differ in length: {Describe()}.");
        long sw = s.Length == 3 ? s[0] : s[^1], tw = t.Length == 3 ? t[0] : t[^1];
        bool connector = !attention && sw != tw;
        if (connector && !settings.Projection)
            throw new LayerMatchingException(
                $"The student's hidden width {sw} differs from the teacher's {tw} ({pair}), and MatchLayers.Projection is false.");
        return new PairPlan(s, t, connector, pooled);
    }
}
