import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { healthSubject, type HealthReply, ServiceContext } from '@aid/messaging';

@Controller()
export class HealthController {
  constructor(private readonly service: ServiceContext) {}

  @MessagePattern(healthSubject('partnerships'))
  health(): HealthReply {
    return this.service.health();
  }
}
