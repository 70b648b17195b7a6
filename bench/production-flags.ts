/**
 * The Node.js options the Docker image and the systemd unit run datamon with (README "In
 * production"); the benchmarks start the bundle with them so their memory figures are the shipped
 * ones. Keep in step with the Dockerfile and deploy/datamon.service.
 */
export const PRODUCTION_NODE_OPTIONS = '--max-semi-space-size=2';
