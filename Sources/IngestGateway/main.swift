import Shared

let logger = Logger(label: "gateway")
logger.info("starting")
