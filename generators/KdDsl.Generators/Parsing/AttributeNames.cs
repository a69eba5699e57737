namespace KdDsl.Generators.Parsing;

/// <summary>
/// Metadata names of the KdDsl attributes (as <c>ToDisplayString()</c> and <c>ForAttributeWithMetadataName</c> see them),
/// taken from the types themselves (KdDsl.Abstractions), so a rename cannot leave the generator behind.
/// </summary>
internal static class AttributeNames
{
    public static readonly string Distillation = typeof(DistillationAttribute).FullName;
    public static readonly string Teacher = typeof(TeacherAttribute).FullName;
    public static readonly string SelfTeacher = typeof(SelfTeacherAttribute).FullName;
    public static readonly string CalibratedTeacher = typeof(CalibratedTeacherAttribute).FullName;
    public static readonly string Student = typeof(StudentAttribute).FullName;
    public static readonly string Loss = typeof(LossAttribute).FullName;
    public static readonly string Train = typeof(TrainAttribute).FullName;
    public static readonly string Dataset = typeof(DatasetAttribute).FullName;
    public static readonly string SyntheticData = typeof(SyntheticDataAttribute).FullName;
    public static readonly string MatchLayers = typeof(MatchLayersAttribute).FullName;
    public static readonly string LayerMap = typeof(LayerMapAttribute).FullName;
    public static readonly string LayerStack = typeof(LayerStackAttribute).FullName;
    public static readonly string Sweep = typeof(SweepAttribute).FullName;
    public static readonly string Normalize = typeof(NormalizeAttribute).FullName;
    public static readonly string Augment = typeof(AugmentAttribute).FullName;
    public static readonly string Stage = typeof(StageAttribute).FullName;
    public static readonly string TeacherEnsemble = typeof(TeacherEnsembleAttribute).FullName;
}

/// <summary>
/// The attributes' defaults, read from fresh instances: a default is written once, in the attribute's property initializer.
/// </summary>
internal static class AttributeDefaults
{
    public static readonly TeacherAttribute Teacher = new(typeof(object));
    public static readonly SelfTeacherAttribute SelfTeacher = new();
    public static readonly CalibratedTeacherAttribute CalibratedTeacher = new();
    public static readonly LossAttribute Loss = new(default);
    public static readonly DatasetAttribute Dataset = new(default);
    public static readonly MatchLayersAttribute MatchLayers = new(default);
    public static readonly LayerStackAttribute LayerStack = new();
}
