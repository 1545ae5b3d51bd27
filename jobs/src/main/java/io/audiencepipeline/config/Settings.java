package io.audiencepipeline.config;

import io.audiencepipeline.identity.NormalisationRules;
import io.audiencepipeline.models.features.FeatureSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated configuration of a run, parsed once at start-up. Nothing else reads HOCON.
 *
 * @param warehouse Hadoop path of the warehouse root
 * @param landing Hadoop path of the landing zone root
 * @param spark Spark settings applied only where spark-submit did not set them
 * @param eventTypes the canonical event vocabulary of the timeline
 * @param unify identity resolution, survivorship, consent and erasure rules
 * @param features the point-in-time feature definitions shared by training and scoring
 * @param featuresIncremental carry yesterday's features over for customers an incremental unify did not touch
 * @param models propensity targets, training, calibration and promotion
 * @param segmentation channels, caps, destinations and the campaigns
 * @param fingerprint SHA-256 of the resolved configuration, recorded in manifests
 */
public record Settings(
    String warehouse,
    String landing,
    Map<String, String> spark,
    IngestSettings ingest,
    NormalisationRules identifiers,
    List<String> eventTypes,
    List<SourceSpec> sources,
    UnifySettings unify,
    FeatureSpec features,
    boolean featuresIncremental,
    ModelSettings models,
    SegmentationSettings segmentation,
    String fingerprint) {

  public Optional<SourceSpec> source(String name) {
    return sources.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
